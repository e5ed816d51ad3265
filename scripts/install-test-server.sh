#!/usr/bin/env bash
# Installs Temporal's time-skipping test server into .tools/test-server/ as plain jars: the Maven artifact
# io.temporal:temporal-test-server and all its runtime dependencies (the artifact is not a fat jar).
# scripts/temporal-test-server runs them, and test/support/time-skipping.ts hands that launcher to the SDK.
#
# Order of preference:
#   1. TEMPORAL_TEST_SERVER_PATH, when it names an executable: nothing is installed.
#   2. .tools/test-server from an earlier run with the same version: nothing is installed.
#   3. A copy resolved earlier on this machine, kept in $XDG_CACHE_HOME/o2c-test-server/<version>
#      (~/.cache by default), so a fresh clone copies it instead of running Maven.
#   4. Maven resolves the jars from Maven Central through a small generated pom, then fills the cache.
# The TypeScript SDK can download a native build of the same server itself, but from Temporal's own download
# site, which machines that reach only package registries cannot reach.
set -euo pipefail

TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.38.0}"
# An SLF4J 1.7 backend, so the server's warnings and errors reach stderr instead of SLF4J's no-operation
# logger. NOTE: it matches the slf4j-api 1.7.36 that temporal-test-server 1.38.0 depends on. If a later
# version moves to SLF4J 2, this binding is ignored with a warning and the server logs nothing.
SLF4J_SIMPLE_VERSION=1.7.36
DEPENDENCY_PLUGIN_VERSION=3.8.1

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/.tools/test-server"
marker_name="VERSION"
coordinates="io.temporal:temporal-test-server:$TEST_SERVER_VERSION"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/o2c-test-server"
cache_dir="$cache_root/$TEST_SERVER_VERSION"
started_us="${EPOCHREALTIME/./}"

log() { echo "install-test-server: $*"; }
fail() { echo "install-test-server: $*" >&2; exit 1; }

elapsed() {
  local now_us="${EPOCHREALTIME/./}"
  local ms=$(( (now_us - started_us) / 1000 ))
  printf '%d.%03ds' $(( ms / 1000 )) $(( ms % 1000 ))
}

# Prints the artifact recorded in a folder's marker file, or nothing. The marker is written last, so a folder
# without it is an interrupted copy.
installed_version() {
  [[ -f "$1/$marker_name" ]] && cat "$1/$marker_name"
  return 0
}

# Copies the jars from $1 into a fresh .tools/test-server, through a temporary folder renamed into place, so an
# interrupted copy never looks complete.
install_from() {
  local source="$1"
  local staging="$target.tmp.$$"
  rm -rf "$staging"
  mkdir -p "$staging"
  cp "$source"/*.jar "$staging"/
  echo "$coordinates" > "$staging/$marker_name"
  rm -rf "$target"
  mv "$staging" "$target"
}

jar_summary() {
  local count size
  count=$(find "$1" -maxdepth 1 -name '*.jar' | wc -l)
  size=$(du -sh "$1" | cut -f1)
  echo "$count jars, $size"
}

if [[ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]]; then
  if [[ -x "$TEMPORAL_TEST_SERVER_PATH" ]]; then
    log "using TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH; nothing installed"
    exit 0
  fi
  fail "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file; unset it or fix the path"
fi

if [[ "$(installed_version "$target")" == "$coordinates" ]]; then
  log "$coordinates is already installed in $target ($(jar_summary "$target")); nothing to do"
  exit 0
fi

if [[ "$(installed_version "$cache_dir")" == "$coordinates" ]]; then
  install_from "$cache_dir"
  log "copied $coordinates ($(jar_summary "$target")) from $cache_dir to $target in $(elapsed)"
  exit 0
fi

command -v mvn >/dev/null 2>&1 ||
  fail "Maven (mvn) is not installed, so $coordinates cannot be resolved. Install Maven 3.6.3 or later (apt-get install maven), or set TEMPORAL_TEST_SERVER_PATH to a test server executable."

log "resolving $coordinates and its runtime dependencies with Maven, which downloads about 60 MB into its local repository (~/.m2) when that is empty"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
cat > "$work_dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.o2c</groupId>
  <artifactId>temporal-test-server-jars</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>$SLF4J_SIMPLE_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF

# Maven's output is shown only on failure, because Debian's Maven 3.8.7 prints ANSI reset codes even with -B -q.
if ! mvn -B -q -f "$work_dir/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$work_dir/jars" > "$work_dir/maven.log" 2>&1; then
  cat "$work_dir/maven.log" >&2
  fail "Maven failed to resolve $coordinates (output above). Check that Maven Central is reachable and that version $TEST_SERVER_VERSION exists, or set TEMPORAL_TEST_SERVER_VERSION."
fi
[[ -f "$work_dir/jars/temporal-test-server-$TEST_SERVER_VERSION.jar" ]] ||
  fail "Maven finished, but temporal-test-server-$TEST_SERVER_VERSION.jar is missing from its output in $work_dir/jars"
echo "$coordinates" > "$work_dir/jars/$marker_name"

# Another install may fill the same cache folder at the same time. Both copies are equal, so the first rename wins.
mkdir -p "$cache_root"
rm -rf "$cache_dir.tmp.$$"
mv "$work_dir/jars" "$cache_dir.tmp.$$"
if ! mv -T "$cache_dir.tmp.$$" "$cache_dir" 2>/dev/null; then
  rm -rf "$cache_dir.tmp.$$"
  [[ "$(installed_version "$cache_dir")" == "$coordinates" ]] ||
    fail "cannot store the jars in $cache_dir; remove that folder and run this script again"
fi

install_from "$cache_dir"
log "installed $coordinates ($(jar_summary "$target")) in $target and cached it in $cache_dir in $(elapsed)"
