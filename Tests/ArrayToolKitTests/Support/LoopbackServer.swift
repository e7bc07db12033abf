// A tiny TCP server on 127.0.0.1 that a test starts to stand in for a misbehaving vmagent: one
// that answers every request with a canned HTTP response (a 503, a crafted /metrics page), or
// one that accepts connections and never says a word. It records the requests it read.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A loopback TCP server run on a thread of the test process.
final class LoopbackServer: @unchecked Sendable {
  /// What the server does with each connection.
  enum Behaviour {
    /// Reads the request and answers with the bytes the function gives for it, then closes.
    case respond(@Sendable (String) -> [UInt8])
    /// Accepts and keeps the connection open without answering, until the server stops.
    case silent
  }

  let port: Int
  private let listener: Int32
  private let behaviour: Behaviour
  private let lock = NSLock()
  private let stopping = OnlyOnce()
  private var held: [Int32] = []
  private var received: [String] = []
  private let finished = DispatchSemaphore(value: 0)

  /// Starts listening on a free port of 127.0.0.1.
  init(_ behaviour: Behaviour) throws {
    self.behaviour = behaviour
    (listener, port) = try LoopbackSocket.listen()
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  /// A server that answers every request with `status` and `body`.
  convenience init(status: Int, reason: String, body: String, contentType: String = "text/plain")
    throws
  {
    let response = LoopbackServer.response(
      status: status, reason: reason, body: body, contentType: contentType)
    try self.init(.respond { _ in response })
  }

  /// A server that answers each path in `routes` (the query left out) with its status and body,
  /// and 404 otherwise.
  convenience init(routes: [String: (Int, String)]) throws {
    try self.init(
      .respond { request in
        let target = request.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
        let path = String(target.prefix { $0 != "?" })
        guard let (status, body) = routes[path] else {
          return LoopbackServer.response(
            status: 404, reason: "Not Found", body: "unsupported path\n", contentType: "text/plain")
        }
        let reason = status == 200 ? "OK" : "Status \(status)"
        return LoopbackServer.response(
          status: status, reason: reason, body: body, contentType: "text/plain")
      })
  }

  deinit {
    stop()
  }

  /// `http://127.0.0.1:PORT`.
  var url: String {
    "http://127.0.0.1:\(port)"
  }

  /// The requests read so far (head and body), oldest first.
  var requests: [String] {
    lock.lock()
    defer { lock.unlock() }
    return received
  }

  /// The connections a silent server holds open so far.
  var heldConnections: Int {
    lock.lock()
    defer { lock.unlock() }
    return held.count
  }

  /// Waits until a silent server holds `count` connections; throws after `timeout` seconds.
  func waitForHeldConnections(_ count: Int, timeout: Double = 30) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while heldConnections < count {
      guard Date() < deadline else {
        throw LoopbackSocket.Failure(
          description: "\(heldConnections) connections held, not \(count), after \(timeout) s")
      }
      usleep(10_000)
    }
  }

  /// Stops accepting and closes every connection; waits for the serving thread to end.
  func stop() {
    guard stopping.claim() else { return }
    finished.wait()
    for descriptor in held { close(descriptor) }
    close(listener)
  }

  /// A complete HTTP/1.1 response with a Content-Length.
  static func response(status: Int, reason: String, body: String, contentType: String)
    -> [UInt8]
  {
    let bytes = Array(body.utf8)
    let head =
      "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\n"
      + "Content-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
    return Array(head.utf8) + bytes
  }

  private func serve() {
    defer { finished.signal() }
    while !stopping.isClaimed {
      var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
      guard poll(&entry, 1, 50) > 0 else { continue }
      let connection = accept(listener, nil, nil)
      guard connection >= 0 else { continue }
      switch behaviour {
      case .silent:
        lock.lock()
        held.append(connection)
        lock.unlock()
      case .respond(let answer):
        let request = LoopbackSocket.readRequest(connection)
        lock.lock()
        received.append(request)
        lock.unlock()
        LoopbackSocket.write(answer(request), to: connection)
        shutdown(connection, Int32(SHUT_WR))
        close(connection)
      }
    }
  }
}

/// The socket calls of the test servers.
enum LoopbackSocket {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// A listening socket on 127.0.0.1 and the port the kernel chose.
  static func listen() throws -> (Int32, Int) {
    let (descriptor, port) = try bound()
    guard Glibc.listen(descriptor, 64) == 0 else {
      close(descriptor)
      throw Failure(description: "listen: \(String(cString: strerror(errno)))")
    }
    return (descriptor, port)
  }

  /// A socket bound to a free port of 127.0.0.1 and not listening: connecting to it is refused,
  /// and no other program can take the port while it is open.
  static func bound() throws -> (Int32, Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw Failure(description: "socket failed") }
    var yes: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
        guard bind(descriptor, pointer, length) == 0 else { return -1 }
        return getsockname(descriptor, pointer, &length)
      }
    }
    guard result == 0 else {
      close(descriptor)
      throw Failure(description: "bind: \(String(cString: strerror(errno)))")
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
  }

  /// A port of 127.0.0.1 that was free a moment ago, for a program that binds it itself.
  static func freePort() throws -> Int {
    let (descriptor, port) = try bound()
    close(descriptor)
    return port
  }

  /// Reads a request head and as much body as its Content-Length announces (2 s at most).
  static func readRequest(_ descriptor: Int32) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    let limit = Date().addingTimeInterval(2)
    var wanted: Int?
    while Date() < limit {
      if let wanted, bytes.count >= wanted { break }
      var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&entry, 1, 100) > 0 else { continue }
      let count = recv(descriptor, &buffer, buffer.count, 0)
      guard count > 0 else { break }
      bytes += buffer[0..<count]
      if wanted == nil, let end = bytes.firstRange(of: [13, 10, 13, 10]) {
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
          .flatMap {
            Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
          }
        wanted = end.upperBound + (length ?? 0)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func write(_ bytes: [UInt8], to descriptor: Int32) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes.withUnsafeBytes {
        send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { return }
      offset += sent
    }
  }
}
