#!/usr/bin/env bash
# THIRD-PARTY-NOTICES.md for a release: every NuGet package whose code the published program carries (runtime or
# native assets in the restore's project.assets.json, for the runtime identifier it was published for), and the .NET
# runtime packs, each with the licence its .nuspec declares. Usage: third-party-notices.sh path/to/project.assets.json
set -euo pipefail
exec /usr/bin/python3 - "$1" <<'PY'
import json, os, re, sys

assets = json.load(open(sys.argv[1]))
folders = list(assets["packageFolders"])
target = next(t for t in assets["targets"] if "/" in t)  # "net10.0/linux-x64": the one the program was published for

def nuspec(name, version):
    for folder in folders:
        directory = os.path.join(folder, name.lower(), version.lower())
        path = os.path.join(directory, name.lower() + ".nuspec")
        if os.path.exists(path):
            return open(path, encoding="utf-8").read()
    return ""

def field(text, tag):
    found = re.search(rf"<{tag}[^>]*>([^<]*)</{tag}>", text)
    return found.group(1).strip() if found else ""

def carried(entry):
    return any(k != "_._" and not k.endswith("/_._") for part in ("runtime", "native") for k in entry.get(part, {}))

rows = []
for key, entry in assets["targets"][target].items():
    if entry.get("type") == "package" and carried(entry):
        rows.append(key.split("/", 1))
for framework in assets["project"]["frameworks"].values():
    for download in framework.get("downloadDependencies", []):
        if ".Runtime." in download["name"]:  # the runtime packs a self-contained program carries
            rows.append([download["name"], download["version"].strip("[]").split(",")[0].strip()])

print("# Third-party notices\n")
print("`dependency-proxy` is one self-contained program: it carries the .NET runtime and these NuGet packages, under")
print("the licences their authors declare (the licence text is at the address given, or in the package).\n")
print("| Package | Version | Licence | Project |")
print("|---|---|---|---|")
for name, version in sorted(rows, key=lambda r: r[0].lower()):
    text = nuspec(name, version)
    licence = field(text, "license") or field(text, "licenseUrl") or "see the package"
    print(f"| {name} | {version} | {licence} | {field(text, 'projectUrl')} |")
print("\nThe native SQLite library (`libe_sqlite3.so`, from SQLitePCLRaw.lib.e_sqlite3) is SQLite, which is in the")
print("public domain. The .NET runtime's own third-party notices are in its runtime pack (THIRD-PARTY-NOTICES.TXT).")
PY
