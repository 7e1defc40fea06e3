// Fixture script: encodes a text with Hugging Face's own tokenizers library
// (the Rust crate, through its Node binding, npm package "tokenizers"
// 0.23.2) using the tokenizer.json files that tick's Write exported, and
// prints the IDs as JSON. TestHFTokenizersFixture compares tick's Load with
// the committed output. To regenerate:
//
//	TICK_HF_FIXTURE=/tmp/hf-fixture go test -run TestHFTokenizersFixture ./tokenizer/hf/
//	(cd /tmp/x && npm install tokenizers@0.23.2)
//	NODE_PATH=/tmp/x/node_modules node tokenizer/hf/testdata/hf_tokenizers.js /tmp/hf-fixture > tokenizer/hf/testdata/hf_tokenizers_ids.json
const fs = require("fs");
const path = require("path");
const { Tokenizer } = require("tokenizers");

async function main() {
  const dir = process.argv[2];
  const text = fs.readFileSync(path.join(dir, "text.txt"), "utf8");
  const out = { tokenizers_version: require("tokenizers/package.json").version, ids: {} };
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name, "tokenizer.json");
    if (!fs.existsSync(file)) continue;
    const tok = Tokenizer.fromFile(file);
    const enc = await tok.encode(text, null, { addSpecialTokens: false });
    out.ids[name] = enc.getIds();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
main().catch((e) => { console.error(e); process.exit(1); });
