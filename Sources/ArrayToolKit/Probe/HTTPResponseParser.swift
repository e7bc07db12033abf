// Reads an HTTP/1.1 response as it arrives, in whatever pieces the network delivers: the head is
// gathered (up to a limit), then the body is passed on as it comes, undoing chunked transfer
// encoding on the way. Nothing of the body is kept, so a large /metrics page costs no memory.

/// An incremental parser for one HTTP/1.x response.
struct HTTPResponseParser {
  private enum State: Equatable {
    case head
    case fixedLength(remaining: Int)
    case chunkSize
    case chunkData(remaining: Int)
    case chunkEnd
    case trailer
    case untilClose
    case done
  }

  /// A head longer than this is not from the servers the probe talks to.
  static let headLimit = 64 * 1024
  /// Chunk-size and trailer lines are short; a longer one means the stream is not chunked.
  static let controlLineLimit = 4096

  private var state = State.head
  private var pending: [UInt8] = []
  /// Set once the head is complete.
  private(set) var head: HTTPResponseHead?
  /// Whether the request was HEAD, whose response has no body whatever its headers say.
  private let bodyless: Bool

  init(requestMethod: String = "GET") {
    bodyless = requestMethod == "HEAD"
  }

  /// Whether the whole response has been read.
  var isComplete: Bool {
    state == .done
  }

  /// Takes the next bytes of the stream and passes the body bytes among them to `body`.
  /// - Throws: `HTTPProtocolError` when the bytes are not an HTTP response; whatever `body` throws.
  mutating func feed(
    _ bytes: UnsafeRawBufferPointer, body: (UnsafeRawBufferPointer) throws -> Void
  ) throws {
    var index = 0
    while index < bytes.count {
      switch state {
      case .head:
        pending.append(bytes[index])
        index += 1
        if pending.count > Self.headLimit {
          throw HTTPProtocolError("the response head is longer than 64 KiB")
        }
        if pending.count >= 4, pending.suffix(4).elementsEqual([13, 10, 13, 10]) {
          let parsed = try Self.parseHead(pending)
          head = parsed
          pending.removeAll()
          state = bodyState(for: parsed)
        }
      case .fixedLength(let remaining), .chunkData(let remaining):
        let take = min(remaining, bytes.count - index)
        try body(UnsafeRawBufferPointer(rebasing: bytes[index..<index + take]))
        index += take
        let left = remaining - take
        if case .fixedLength = state {
          state = left == 0 ? .done : .fixedLength(remaining: left)
        } else {
          state = left == 0 ? .chunkEnd : .chunkData(remaining: left)
        }
      case .untilClose:
        try body(UnsafeRawBufferPointer(rebasing: bytes[index...]))
        index = bytes.count
      case .chunkSize, .chunkEnd, .trailer:
        let byte = bytes[index]
        index += 1
        guard byte == 10 else {
          pending.append(byte)
          if pending.count > Self.controlLineLimit {
            throw HTTPProtocolError("a chunk header is longer than 4 KiB")
          }
          continue
        }
        let line = pending.last == 13 ? Array(pending.dropLast()) : pending
        pending.removeAll()
        try endControlLine(line)
      case .done:
        index = bytes.count
      }
    }
  }

  /// Called when the peer closed the connection: fine only when the body ran until the close.
  mutating func finishAtClose() throws {
    switch state {
    case .done:
      return
    case .untilClose:
      state = .done
    case .head:
      throw HTTPProtocolError(
        pending.isEmpty
          ? "the server closed the connection without answering"
          : "the server closed the connection in the middle of the response head")
    default:
      throw HTTPProtocolError("the server closed the connection in the middle of the body")
    }
  }

  private mutating func endControlLine(_ line: [UInt8]) throws {
    switch state {
    case .chunkSize:
      let text = String(decoding: line, as: UTF8.self)
      let digits = text.split(separator: ";", maxSplits: 1).first ?? ""
      guard let size = Int(digits.strippingBlanks(), radix: 16), size >= 0 else {
        throw HTTPProtocolError("bad chunk size '\(text.prefix(40))'")
      }
      state = size == 0 ? .trailer : .chunkData(remaining: size)
    case .chunkEnd:
      guard line.isEmpty else { throw HTTPProtocolError("a chunk does not end with CRLF") }
      state = .chunkSize
    default:
      if line.isEmpty { state = .done }
    }
  }

  private func bodyState(for head: HTTPResponseHead) -> State {
    if bodyless || head.status == 204 || head.status == 304 || head.status < 200 { return .done }
    if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
      return .chunkSize
    }
    if let length = head.headers["content-length"].flatMap({ Int($0) }), length >= 0 {
      return length == 0 ? .done : .fixedLength(remaining: length)
    }
    return .untilClose
  }

  /// Parses `HTTP/1.1 200 OK` and the header lines after it.
  static func parseHead(_ bytes: [UInt8]) throws -> HTTPResponseHead {
    let text = String(decoding: bytes, as: UTF8.self)
    var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).makeIterator()
    guard let statusLine = lines.next() else { throw HTTPProtocolError("an empty response") }
    let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]),
      (100...999).contains(status)
    else {
      throw HTTPProtocolError("not an HTTP response: '\(statusLine.prefix(60))'")
    }
    var headers: [String: String] = [:]
    while let line = lines.next() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      headers[name] = line[line.index(after: colon)...].strippingBlanks()
    }
    let reason = parts.count > 2 ? String(parts[2]) : ""
    return HTTPResponseHead(status: status, reason: reason, headers: headers)
  }
}

extension StringProtocol {
  /// The text without the spaces and tabs around it.
  fileprivate func strippingBlanks() -> String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = firstIndex(where: { !isBlank($0) }),
      let last = lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(self[first...last])
  }
}
