// The `arraytool` binary started in the background by `BinaryRunner.start`: its output is
// collected as it comes, so that a test can wait for a line on stderr, break a server or send
// Ctrl-C meanwhile, and then collect the result.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A running `arraytool`.
final class RunningBinary: @unchecked Sendable {
  /// Why waiting for the binary's output failed.
  struct WaitFailure: Error, CustomStringConvertible {
    var description: String
  }

  private let process: Process
  /// The state folder made for this run alone, removed when it ends.
  private let temporaryState: String
  private let stdout = Pipe()
  private let stderr = Pipe()
  private var collected: [PipeCollector] = []

  init(process: Process, temporaryState: String) {
    self.process = process
    self.temporaryState = temporaryState
  }

  /// Starts the process with its output going to collectors.
  func launch() throws {
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    collected = [PipeCollector(stdout), PipeCollector(stderr)]
  }

  /// Whether the binary has not ended yet.
  var isRunning: Bool { process.isRunning }

  /// The process id, which the binary writes into a state folder's lock.
  var pid: Int32 { process.processIdentifier }

  /// Sends SIGTERM, as a service manager stopping it does.
  func terminate() {
    process.terminate()
  }

  /// Sends SIGINT, as Ctrl-C in a terminal does.
  func interrupt() {
    process.interrupt()
  }

  /// Freezes the binary (SIGSTOP) until `proceed()`.
  func freeze() {
    kill(process.processIdentifier, SIGSTOP)
  }

  /// Lets a frozen binary go on (SIGCONT).
  func proceed() {
    kill(process.processIdentifier, SIGCONT)
  }

  /// Polls what the binary has written to stderr until it contains `text`; throws when the
  /// binary ends or `timeout` seconds pass first.
  func waitForStderr(containing text: String, timeout: Double = 60) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !collected[1].text.contains(text) {
      guard process.isRunning, Date() < deadline else {
        let written = collected[1].text
        throw WaitFailure(
          description: "arraytool did not write '\(text)' to stderr; it wrote:\n\(written)")
      }
      usleep(20_000)
    }
  }

  /// Waits for the binary to end and returns what it printed.
  func wait() -> BinaryResult {
    for collector in collected { collector.finished.wait() }
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: temporaryState)
    return BinaryResult(
      status: process.terminationStatus, stdout: collected[0].text, stderr: collected[1].text)
  }
}

/// Reads a pipe on its own thread until it closes, so that the child never blocks on a full
/// pipe and the test can look at what came so far.
private final class PipeCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  /// Signalled once the pipe is closed and everything is read.
  let finished = DispatchSemaphore(value: 0)

  init(_ pipe: Pipe) {
    let handle = pipe.fileHandleForReading
    Thread.detachNewThread { [self] in
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        lock.lock()
        data.append(chunk)
        lock.unlock()
      }
      finished.signal()
    }
  }

  /// Everything read so far, as UTF-8.
  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: data, as: UTF8.self)
  }
}
