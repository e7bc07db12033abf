// A target that accepts connections and never answers: the preflight says what it waits on,
// waits --timeout per request and no longer, and a signal while it waits ends the run with the
// status of an interrupt.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct ImportPreflightWaitTests {
  static let sample = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"

  /// Before, asking what the target is took 5 s twice whatever --timeout said: 11 s here, with
  /// nothing on the screen until the end.
  @Test func aSilentTargetHoldsThePreflightUpForTheTimeoutOnly() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let url = "http://127.0.0.1:\(server.port)"
    let started = Date()
    let result = try BinaryRunner.run(["import", "--timeout", "1", "--url", url, Self.sample])
    let seconds = Date().timeIntervalSince(started)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.first
      == "arraytool: preflight: checking the inputs and \(url) (at most 1 s a request)")
    #expect(lines.contains { $0.hasPrefix("  FAIL target \(url): timeout: ") })
    #expect(lines.last == "arraytool: error: preflight failed: nothing was sent")
    // One request to ask what it is and the probe's, a second each: well under the 11 s before.
    #expect(seconds < 5, "took \(seconds) s")
  }

  /// Before, SIGTERM here ended the run with 143 and no word; the manual says 130.
  @Test(arguments: [false, true])
  func aSignalWhileThePreflightWaitsEndsTheRunWith130(sigterm: Bool) throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let url = "http://127.0.0.1:\(server.port)"
    let running = try BinaryRunner.start(["import", "--url", url, "--json", Self.sample])
    try running.waitForStderr(containing: "arraytool: preflight: checking the inputs and \(url)")
    if sigterm { running.terminate() } else { running.interrupt() }
    let result = running.wait()
    #expect(result.status == 130)
    #expect(result.stdout == "")
    #expect(result.stderr == "arraytool: preflight: checking the inputs and \(url) (at most 5 s "
      + "a request)\narraytool: interrupted before sending: nothing was sent\n")
  }

  /// A --query-url that is also the --url is named once in the line that says what is asked.
  @Test func aServerGivenTwiceIsNamedOnce() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let url = "http://127.0.0.1:\(server.port)"
    let running = try BinaryRunner.start(
      ["import", "--timeout", "1", "--url", url, "--query-url", url, Self.sample])
    try running.waitForStderr(containing: "arraytool: preflight: checking the inputs and ")
    running.interrupt()
    let result = running.wait()
    #expect(result.status == 130)
    #expect(result.stderr.split(separator: "\n").first
      == "arraytool: preflight: checking the inputs and \(url) (at most 1 s a request)")
  }
}

