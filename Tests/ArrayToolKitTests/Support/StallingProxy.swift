// A stand-in for a target that is slow to answer: every POST of /api/v1/import is handed on to a
// real VictoriaMetrics (whole, in part, or not at all, as the test says) and then answered only
// after the client has given up on it, the way a server under load stores a body and answers
// too late. A body that repeats lines seen before (the batch sent again, whole or in part) is
// handed on and answered at once. Other requests get 404.

import Foundation

@testable import ArrayToolKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// A loopback server that stalls the first request of every batch, a thread a connection.
final class StallingProxy: @unchecked Sendable {
  /// What reaches the VictoriaMetrics of a body the first time it is posted.
  enum FirstSight: Sendable {
    case whole
    /// Its first half of lines (rounded down).
    case firstHalf
    case nothing
    /// All of it, this many seconds after it was read (the answer still comes after `stall`).
    case late(Double)
  }

  let port: Int
  private let listener: Int32
  private let storage: URL
  private let firstSight: FirstSight
  private let stall: Double
  /// The status of a first post, answered at once instead of after `stall` (a proxy's 504).
  private let firstStatus: Int?
  private let lock = NSLock()
  private var seen: Set<String> = []
  private var posts = 0
  private var running = true
  private let finished = DispatchSemaphore(value: 0)

  /// Hands bodies on to the VictoriaMetrics at `storage` and answers a body's first post after
  /// `stall` seconds.
  init(storage: String, firstSight: FirstSight, stall: Double, firstStatus: Int? = nil) throws {
    self.storage = URL(string: storage + "/api/v1/import")!
    self.firstSight = firstSight
    self.stall = stall
    self.firstStatus = firstStatus
    (listener, port) = try LoopbackSocket.listen()
    Thread { [self] in serve() }.start()
  }

  deinit { stop() }

  var url: String { "http://127.0.0.1:\(port)" }

  /// The import posts read so far.
  var importPosts: Int {
    lock.lock()
    defer { lock.unlock() }
    return posts
  }

  func stop() {
    lock.lock()
    let wasRunning = running
    running = false
    lock.unlock()
    guard wasRunning else { return }
    finished.wait()
    close(listener)
  }

  private var isRunning: Bool {
    lock.lock()
    defer { lock.unlock() }
    return running
  }

  private func serve() {
    defer { finished.signal() }
    while isRunning {
      var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
      guard poll(&entry, 1, 50) > 0 else { continue }
      let connection = accept(listener, nil, nil)
      guard connection >= 0 else { continue }
      Thread { [self] in answer(connection) }.start()
    }
  }

  private func answer(_ connection: Int32) {
    defer { close(connection) }
    let request = LoopbackSocket.readRequest(connection)
    guard request.hasPrefix("POST /api/v1/import"),
      let split = request.range(of: "\r\n\r\n")
    else {
      LoopbackSocket.write(
        LoopbackServer.response(status: 404, reason: "Not Found", body: "", contentType: "text/plain"),
        to: connection)
      return
    }
    let body = String(request[split.upperBound...])
    let lines = body.split(separator: "\n").map(String.init)
    // A body none of whose lines came before is a batch's first post; what is sent again of it,
    // whole or in part, is not.
    lock.lock()
    posts += 1
    let first = lines.allSatisfy { !seen.contains($0) }
    seen.formUnion(lines)
    lock.unlock()
    var handedOn = body
    var waited = 0.0
    switch first ? firstSight : .whole {
    case .whole: break
    case .nothing: handedOn = ""
    case .firstHalf:
      handedOn = lines.prefix(lines.count / 2).joined(separator: "\n") + "\n"
    case .late(let delay):
      Thread.sleep(forTimeInterval: delay)
      waited = delay
    }
    if !handedOn.isEmpty {
      let sender = HTTPSender(timeout: 10, connections: 1, credentials: .none)
      _ = sender.post(Data(handedOn.utf8), to: storage, gzipped: false)
    }
    if first, let firstStatus {
      LoopbackSocket.write(
        LoopbackServer.response(
          status: firstStatus, reason: "Gateway Timeout", body: "upstream timed out",
          contentType: "text/plain"),
        to: connection)
      return
    }
    if first { Thread.sleep(forTimeInterval: max(0, stall - waited)) }
    LoopbackSocket.write(
      LoopbackServer.response(status: 204, reason: "No Content", body: "", contentType: "text/plain"),
      to: connection)
  }
}
