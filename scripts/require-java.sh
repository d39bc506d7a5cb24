#!/usr/bin/env bash
# Sourced by run.sh and test.sh: Java 17 or newer must be there (Maven comes from ./mvnw), said
# plainly rather than as a class-version error or mvnw's complaint about JAVA_HOME.
java_cmd=java
[ -n "${JAVA_HOME:-}" ] && java_cmd="$JAVA_HOME/bin/java"
java_major=$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' || true)
if [ -z "$java_major" ]; then
  echo "${tool_name:-$(basename "$0")}: the orchestrator needs Java 17 or newer (a JDK: the build compiles), and there is no" \
    "'$java_cmd' here: install one (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME" >&2
  exit 1
fi
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "${tool_name:-$(basename "$0")}: the orchestrator needs Java 17 or newer; '$java_cmd' here is Java $java_major" \
    "(set JAVA_HOME or PATH to a JDK 17+)" >&2
  exit 1
fi
