"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the one production path that imports the
emulator (`runner`), the trainee activity it plays (`activity`) and its live summary
(`dashboard`)."""
