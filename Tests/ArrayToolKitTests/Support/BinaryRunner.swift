// Runs the built `arraytool` executable the way a user would, for end-to-end tests.

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
    defer { try? FileManager.default.removeItem(atPath: state) }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    let outPipe = Pipe()
    let errPipe = Pipe()
    let inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try inPipe.fileHandleForWriting.close()
    // stderr is drained on another thread so that neither pipe can fill up and block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let errData = errBox.data
    process.waitUntilExit()
    return BinaryResult(
      status: process.terminationStatus,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
