#!/bin/sh
# The streamlearn command inside the image: the JVM launch of ./streamlearn, with the runtime jars
# under /opt/streamlearn/lib in Maven's order. STREAMLEARN_JAVA_OPTS replaces the default JVM options.
# shellcheck disable=SC2086
exec java ${STREAMLEARN_JAVA_OPTS:--XX:MaxRAMPercentage=75 -XX:+UseParallelGC} -Dai.djl.offline=true \
  -cp "/opt/streamlearn/streamlearn.jar:$(cat /opt/streamlearn/classpath.txt)" io.streamlearn.app.StreamlearnCommand "$@"
