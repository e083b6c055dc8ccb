import CLinux

// The Embedded build has no CommandLine and compiles EmbeddedEntry.swift
// instead of this file; both call runMain (Run.swift).
exit(runMain(arguments: CommandLine.arguments).rawValue)
