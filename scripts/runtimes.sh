#!/usr/bin/env bash
# Lays out the .NET runtimes the verification tiers measure on, outside the checkout, as one
# folder a `dotnet` host can run apps from:
#   $ALLOCATION_LENS_RUNTIMES (default ~/.cache/allocation-lens/runtimes)/
#     dotnet, host/fxr/<ver>/, shared/Microsoft.NETCore.App/<ver>/   for 8.0.34, 9.0.23, 10.0.12, 11.0.0
# Run an app on one of them:  DOTNET_ROOT=$root $root/dotnet exec --fx-version 9.0.23 app.dll
# The runtime packs come from the NuGet feed (Microsoft.NETCore.App.Runtime.linux-x64); the host is
# a copy of the installed SDK's. Idempotent: a version already laid out is skipped. Prints the root
# as its last line. Only linux-x64 packs are laid out (the machine CI runs on).
set -euo pipefail
root="${ALLOCATION_LENS_RUNTIMES:-$HOME/.cache/allocation-lens/runtimes}"
versions="${ALLOCATION_LENS_RUNTIME_VERSIONS:-8.0.34 9.0.23 10.0.12 11.0.0}"
mkdir -p "$root"

installed="$(dirname "$(readlink -f "$(command -v dotnet)")")"
if [ ! -x "$root/dotnet" ]; then
  cp "$installed/dotnet" "$root/dotnet"
  mkdir -p "$root/host"
  cp -r "$installed/host/fxr" "$root/host/"
fi

missing=""
for v in $versions; do
  [ -f "$root/shared/Microsoft.NETCore.App/$v/System.Private.CoreLib.dll" ] || missing="$missing $v"
done

if [ -n "$missing" ]; then
  work="$root/.download"
  mkdir -p "$work"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup>'
    # One item, several exact versions: PackageDownload's way of fetching many versions of a package.
    echo "<PackageDownload Include=\"Microsoft.NETCore.App.Runtime.linux-x64\" Version=\"$(for v in $missing; do printf '[%s];' "$v"; done | sed 's/;$//')\" />"
    echo '</ItemGroup></Project>'
  } > "$work/download.csproj"
  dotnet restore "$work/download.csproj" --packages "$work/packages" --nologo -v:q >&2
  for v in $missing; do
    pack="$work/packages/microsoft.netcore.app.runtime.linux-x64/$v/runtimes/linux-x64"
    dest="$root/shared/Microsoft.NETCore.App/$v"
    rm -rf "$dest.tmp"; mkdir -p "$dest.tmp"
    cp "$pack"/lib/net*/* "$dest.tmp/"
    cp "$pack"/native/* "$dest.tmp/"
    # The host reads the framework's name and version from these two files.
    cp "$pack"/../../Microsoft.NETCore.App.versions.txt "$dest.tmp/" 2>/dev/null || true
    ls "$dest.tmp"/Microsoft.NETCore.App.deps.json >/dev/null 2>&1 || cp "$pack"/lib/net*/Microsoft.NETCore.App.deps.json "$dest.tmp/" 2>/dev/null || true
    rm -rf "$dest"; mv "$dest.tmp" "$dest"
    echo "laid out .NET $v" >&2
  done
  rm -rf "$work/packages"
fi
echo "$root"
