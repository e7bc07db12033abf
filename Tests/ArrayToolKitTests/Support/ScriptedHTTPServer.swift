// A small HTTP/1.1 server on a loopback port that answers requests from a script of statuses and
// records what it received, for tests of retries and server answers.

import Foundation

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

/// One request the server received.
struct ReceivedRequest: Sendable {
  var method: String
  var path: String
  var headers: [String: String]
  var body: Data
}

final class ScriptedHTTPServer: @unchecked Sendable {
  let port: Int
  private let listener: Int32
  private let lock = NSLock()
  private var script: [(status: Int, body: String)]
  private var fallback: (status: Int, body: String)
  private var received: [ReceivedRequest] = []
  private var running = true

  /// Starts listening; answers the requests with `script` in order, then with `fallback`.
  init(script: [(Int, String)], fallback: (Int, String) = (204, "")) throws {
    self.script = script.map { (status: $0.0, body: $0.1) }
    self.fallback = (status: fallback.0, body: fallback.1)
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.listener = listener
    var yes: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 64) == 0 else {
      throw SystemError("test server cannot listen", code: errno)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        _ = getsockname(listener, $0, &length)
      }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
    Thread.detachNewThread { [self] in acceptLoop() }
  }

  var url: String { "http://127.0.0.1:\(port)" }

  var requests: [ReceivedRequest] {
    lock.lock()
    defer { lock.unlock() }
    return received
  }

  func stop() {
    lock.lock()
    running = false
    lock.unlock()
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func acceptLoop() {
    while true {
      let client = accept(listener, nil, nil)
      if client < 0 { return }
      Thread.detachNewThread { [self] in serve(client) }
    }
  }

  private func serve(_ client: Int32) {
    defer { close(client) }
    var pending = Data()
    while true {
      guard let request = readRequest(client, pending: &pending) else { return }
      lock.lock()
      received.append(request)
      let answer = script.isEmpty ? fallback : script.removeFirst()
      lock.unlock()
      let reason = answer.status == 204 ? "No Content" : "Status"
      let text = "HTTP/1.1 \(answer.status) \(reason)\r\nContent-Length: \(answer.body.utf8.count)\r\n"
        + "Content-Type: text/plain\r\n\r\n\(answer.body)"
      guard send(client, text) else { return }
    }
  }

  private func send(_ client: Int32, _ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes {
        Glibc.send(client, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
      }
      if written <= 0 { return false }
      offset += written
    }
    return true
  }

  private func readRequest(_ client: Int32, pending: inout Data) -> ReceivedRequest? {
    let separator = Data("\r\n\r\n".utf8)
    while pending.range(of: separator) == nil {
      guard receive(client, into: &pending) else { return nil }
    }
    let headerEnd = pending.range(of: separator)!
    let head = String(decoding: pending[pending.startIndex..<headerEnd.lowerBound], as: UTF8.self)
    pending = Data(pending[headerEnd.upperBound...])
    var lines = head.components(separatedBy: "\r\n")
    let requestLine = lines.removeFirst().split(separator: " ")
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    if headers["expect"]?.lowercased() == "100-continue" {
      guard send(client, "HTTP/1.1 100 Continue\r\n\r\n") else { return nil }
    }
    var body = Data()
    if let length = headers["content-length"].flatMap(Int.init) {
      while pending.count < length {
        guard receive(client, into: &pending) else { return nil }
      }
      body = Data(pending.prefix(length))
      pending = Data(pending.dropFirst(length))
    } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
      while true {
        while pending.range(of: Data("\r\n".utf8)) == nil {
          guard receive(client, into: &pending) else { return nil }
        }
        let lineEnd = pending.range(of: Data("\r\n".utf8))!
        let sizeText = String(decoding: pending[pending.startIndex..<lineEnd.lowerBound], as: UTF8.self)
        guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return nil }
        pending = Data(pending[lineEnd.upperBound...])
        while pending.count < size + 2 {
          guard receive(client, into: &pending) else { return nil }
        }
        body.append(pending.prefix(size))
        pending = Data(pending.dropFirst(size + 2))
        if size == 0 { break }
      }
    }
    return ReceivedRequest(
      method: requestLine.first.map(String.init) ?? "",
      path: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers, body: body)
  }

  private func receive(_ client: Int32, into data: inout Data) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    let count = recv(client, &buffer, buffer.count, 0)
    guard count > 0 else { return false }
    data.append(contentsOf: buffer[0..<count])
    return true
  }
}
