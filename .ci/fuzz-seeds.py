"""Seeds for the `decode` fuzz target: every recorded body, once for each provider (its first
byte picks the provider, in the catalog's order, which is the folders' sorted order)."""
import pathlib
import sys
import tomllib

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
providers = sorted(p for p in pathlib.Path("specs").iterdir() if (p / "provider.toml").exists())
count = 0
for index, provider in enumerate(providers):
    for recording in sorted((provider / "responses").glob("*.toml")):
        body = tomllib.loads(recording.read_text()).get("body", "")
        (out / f"{provider.name}-{recording.stem}").write_bytes(bytes([index]) + body.encode())
        count += 1
print(f"{count} seeds in {out}")
