// A vmagent whose queue is over the backlog limit when the preflight probes it: what an import
// interrupted a moment ago sent is still on its way, and "run the same command again" must work.
// The preflight waits while the queue shrinks, and fails only when it stops shrinking.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct PreflightBacklogTests {
  /// A vmagent whose /metrics gives `pending(n)` bytes in its queue at the n-th reading (from 0).
  private static func vmagent(pending: @escaping @Sendable (Int) -> Int) throws -> LoopbackServer {
    let readings = AtomicCounter()
    return try LoopbackServer(.respond { request in
      guard request.hasPrefix("GET /metrics") else {
        return LoopbackServer.response(status: 200, reason: "OK", body: "OK", contentType: "text/plain")
      }
      let bytes = pending(readings.increment())
      let page = "vmagent_remotewrite_pending_data_bytes{path=\"/q\", url=\"1:secret-url\"} \(bytes)\n"
        + "vmagent_remotewrite_requests_total{url=\"1:secret-url\", status_code=\"2XX\"} 5\n"
      return LoopbackServer.response(status: 200, reason: "OK", body: page, contentType: "text/plain")
    })
  }

  /// A preflight of the one target `server`, importing for the VictoriaMetrics at vm.example.
  private static func preflight(_ server: LoopbackServer, stalled: Double) throws -> Preflight {
    let target = try ImportTarget(base: "http://127.0.0.1:\(server.port)")
    var preflight = Preflight(
      configuration: ImportConfiguration(targets: [target]),
      query: try ProbeEndpoint(parsing: "http://vm.example:8428"), stores: [], skipCorrupt: false)
    preflight.backlogWait = (most: 30, stalled: stalled)
    return preflight
  }

  @Test func aQueueThatDrainsIsWaitedFor() throws {
    // 40 MiB at the probe, then 30, 20, and 1 MiB: below the 16 MiB limit at the fourth reading.
    let sizes = [40 << 20, 30 << 20, 20 << 20, 1 << 20]
    let server = try Self.vmagent { sizes[min($0, sizes.count - 1)] }
    defer { server.stop() }
    var preflight = try Self.preflight(server, stalled: 5)
    let notes = NoteLog()
    preflight.note = { notes.add($0) }
    var result = PreflightResult()
    preflight.checkTargets(into: &result)
    #expect(result.checks.count == 1)
    let check = try #require(result.checks.first)
    #expect(check.status == .ok)
    #expect(check.message.hasPrefix("vmagent healthy ("))
    #expect(check.message.contains("; its queue drained in "))
    #expect(notes.all == [
      "preflight: 30.0 MiB wait in the queue of vmagent at http://127.0.0.1:\(server.port); waiting while "
        + "it drains (at most 30 s, or until it stops shrinking for 5 s)"
    ])
  }

  @Test func aQueueThatDoesNotShrinkFailsAndPointsAtTheStorage() throws {
    let server = try Self.vmagent { _ in 40 << 20 }
    defer { server.stop() }
    let preflight = try Self.preflight(server, stalled: 1)
    let started = Date()
    var result = PreflightResult()
    preflight.checkTargets(into: &result)
    let took = Date().timeIntervalSince(started)
    #expect(took >= 1 && took < 5, "took \(took) s")
    let check = try #require(result.checks.first)
    #expect(check.status == .failed)
    #expect(check.message.hasPrefix("queue_backlog: vmagent holds more data than it should"))
    // The next step probes the VictoriaMetrics the import names, not the default one, and the
    // wait says how it ended.
    #expect(check.message.contains("Next: arraytool probe victoriametrics --url http://vm.example:8428; waited "))
    #expect(check.message.hasSuffix(": 40.0 MiB still wait, no fewer for 1 s"))
  }

  /// A queue that keeps shrinking, too slowly: the wait ends at its limit and says so.
  @Test func aQueueThatShrinksTooSlowlyFailsAtTheLimit() throws {
    let server = try Self.vmagent { 40 << 20 - $0 * 1024 }
    defer { server.stop() }
    var preflight = try Self.preflight(server, stalled: 5)
    preflight.backlogWait = (most: 1, stalled: 5)
    var result = PreflightResult()
    preflight.checkTargets(into: &result)
    let check = try #require(result.checks.first)
    #expect(check.status == .failed)
    #expect(check.message.contains(": the queue still shrinks, but "))
    #expect(check.message.hasSuffix(" MiB still wait"))
  }
}

/// Notes told from any thread, in order.
private final class NoteLog: @unchecked Sendable {
  private let lock = NSLock()
  private var notes: [String] = []
  func add(_ note: String) { lock.withLock { notes.append(note) } }
  var all: [String] { lock.withLock { notes } }
}
