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

def licence_text(name, version):
    """The licence file a package carries (LICENSE.TXT, License.txt, …), if any."""
    for folder in folders:
        directory = os.path.join(folder, name.lower(), version.lower())
        if os.path.isdir(directory):
            for entry in sorted(os.listdir(directory)):
                if entry.lower().startswith("license") and os.path.isfile(os.path.join(directory, entry)):
                    return open(os.path.join(directory, entry), encoding="utf-8", errors="replace").read().strip()
    return ""

def field(text, tag):
    found = re.search(rf"<{tag}[^>]*>([^<]*)</{tag}>", text)
    return found.group(1).strip() if found else ""

def carried(entry):
    return any(k != "_._" and not k.endswith("/_._") for part in ("runtime", "native") for k in entry.get(part, {}))

# Only what the program's own references reach: a reference with PrivateAssets="all" (EF Core's design-time tools,
# for `dotnet ef`) stays out of the publish, and so do the packages only it brings (Roslyn, Humanizer, …).
packages = {key.split("/", 1)[0].lower(): (key, entry) for key, entry in assets["targets"][target].items() if entry.get("type") == "package"}
reached, pending = set(), []
for framework in assets["project"]["frameworks"].values():
    for name, reference in framework.get("dependencies", {}).items():
        if reference.get("suppressParent", "") != "All":
            pending.append(name.lower())
while pending:
    name = pending.pop()
    if name in reached or name not in packages:
        continue
    reached.add(name)
    pending.extend(d.lower() for d in packages[name][1].get("dependencies", {}))

rows = []
for name in reached:
    key, entry = packages[name]
    if carried(entry):
        rows.append(key.split("/", 1))
for framework in assets["project"]["frameworks"].values():
    for download in framework.get("downloadDependencies", []):
        if ".Runtime." in download["name"]:  # the runtime packs a self-contained program carries
            rows.append([download["name"], download["version"].strip("[]").split(",")[0].strip()])

print("# Third-party notices\n")
print("`dependency-proxy` is one self-contained program: it carries the .NET runtime and these NuGet packages, under")
print("the licences their authors declare. A licence named by its SPDX identifier (MIT, Apache-2.0, …) is the text at")
print("https://spdx.org/licenses/<identifier>.html; the texts the packages carry themselves follow the table.\n")
print("| Package | Version | Licence | Project |")
print("|---|---|---|---|")
for name, version in sorted(rows, key=lambda r: r[0].lower()):
    text = nuspec(name, version)
    licence = field(text, "license") or field(text, "licenseUrl") or "see the package"
    print(f"| {name} | {version} | {licence} | {field(text, 'projectUrl')} |")
print("\nThe native SQLite library (`libe_sqlite3.so`, from SQLitePCLRaw.lib.e_sqlite3) is SQLite, which is in the")
print("public domain. The .NET runtime's own third-party notices: https://github.com/dotnet/runtime/blob/main/THIRD-PARTY-NOTICES.TXT")
# The licence texts themselves, as the packages carry them: MIT and Apache-2.0 ask for them to travel with the program.
texts = {}
for name, version in sorted(rows, key=lambda r: r[0].lower()):
    text = licence_text(name, version)
    if text:
        texts.setdefault(text, []).append(name)
for text, names in texts.items():
    print(f"\n## Licence of {', '.join(names)}\n\n```\n{text}\n```")
PY
