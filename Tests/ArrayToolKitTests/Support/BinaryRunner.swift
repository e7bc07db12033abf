// Runs the built `arraytool` executable the way a user would, for end-to-end tests: to the end,
// or started in the background so that a test can interrupt it or break a server meanwhile.

import Foundation

/// What one run of the binary printed and returned.
struct BinaryResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum BinaryRunner {
  /// The `arraytool` executable next to the test bundle (both live in `.build/<config>/`).
  static var executable: URL {
    var directory = Bundle.main.bundleURL
    if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
    let candidate = directory.appendingPathComponent("arraytool")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    // Swift Testing may run from the package root: look in the default build folder.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/arraytool")
  }

  /// Runs `arraytool arguments…` with `stdin` as its input and waits for it to end.
  ///
  /// - Parameter launcher: a command that runs the binary, such as `["unshare", "-n"]`; the
  ///   binary's path and `arguments` follow it.
  static func run(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
    directory: URL? = nil, launcher: [String] = []
  ) throws -> BinaryResult {
    try start(
      arguments, stdin: stdin, environment: environment, directory: directory, launcher: launcher
    ).wait()
  }

  /// Starts `arraytool arguments…` and returns at once; `wait()` collects what it printed.
  static func start(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
    directory: URL? = nil, launcher: [String] = []
  ) throws -> RunningBinary {
    let process = Process()
    if let program = launcher.first {
      process.executableURL = URL(fileURLWithPath: program)
      process.arguments = launcher.dropFirst() + [executable.path] + arguments
    } else {
      process.executableURL = executable
      process.arguments = arguments
    }
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    // Each run gets its own spool and journal unless the test shares one between runs.
    let state = FileManager.default.temporaryDirectory
      .appendingPathComponent("arraytool-state-\(UUID().uuidString)").path
    env["ARRAYTOOL_STATE_DIR"] = state
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    let running = RunningBinary(process: process, temporaryState: state)
    let inPipe = Pipe()
    process.standardInput = inPipe
    try running.launch()
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try inPipe.fileHandleForWriting.close()
    return running
  }
}
