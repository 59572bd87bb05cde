# Sourced by run.sh and test.sh: points Maven at a JDK 17 (Raspberry Pi OS bookworm's), whatever java is on PATH.
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
for d in "/usr/lib/jvm/java-17-openjdk-$arch" /usr/lib/jvm/java-17-openjdk*; do
  if [ -x "$d/bin/jlink" ]; then export JAVA_HOME="$d"; break; fi
done
export PATH="$JAVA_HOME/bin:$PATH"
