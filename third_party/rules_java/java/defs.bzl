"""Offline stand-in for @rules_java: re-exports Bazel's native Java rules.

Bazel 4.2.3 loads it while resolving the JDK toolchains it registers by default, even for C++-only
builds; mx builds no Java.
"""

java_binary = native.java_binary
java_import = native.java_import
java_library = native.java_library
java_plugin = native.java_plugin
java_runtime = native.java_runtime
java_test = native.java_test
java_toolchain = native.java_toolchain
