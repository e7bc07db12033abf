// Sends the probe's HTTP requests to one server. Plain `http://` goes over a socket the probe
// opened itself, to the very address the TCP phase found answering, with the phase's deadline
// on every read; `https://` goes through URLSession, which brings TLS. Either way the body is
// handed on in pieces and every failure comes back as a classified `ProbeFailure`.

#if canImport(Glibc)
  import Glibc
#endif

/// An HTTP client bound to one server.
struct HTTPClient {
  let endpoint: ProbeEndpoint
  let resolver: any HostResolver
  /// Addresses to connect to, best first; looked up again through `resolver` when empty.
  var addresses: [ResolvedAddress] = []
  /// Asked at least every 0.2 s while an answer is awaited; true ends the exchange with
  /// `Interrupted` (Ctrl-C). Only plain HTTP is asked.
  var shouldStop: (() -> Bool)?

  /// The exchange was ended because `shouldStop` said so.
  struct Interrupted: Error {}

  /// Sends `request` and passes the response body to `body` as it arrives.
  ///
  /// - Parameter connection: a socket already connected to the server, used for plain HTTP
  ///   instead of opening a new one.
  /// - Throws: `ProbeFailure`: `timeout` when the whole exchange did not end by `deadline`.
  func send(
    _ request: HTTPRequest, deadline: Deadline, connection: TCPSocket? = nil,
    body: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> HTTPResponseHead {
    if endpoint.scheme == "https" {
      return try SecureHTTPExchange.send(
        request, to: endpoint, deadline: deadline, body: body)
    }
    let socket = try connection ?? connect(deadline: deadline)
    do {
      return try exchange(request, over: socket, deadline: deadline, body: body)
    } catch let error as SocketError {
      let reason =
        error.code == ETIMEDOUT
        ? "no complete answer within the time limit"
        : "\(error.operation): " + SystemError.describe(error.code)
      throw ProbeFailure(
        error.failure(at: socket.address).kind,
        "\(request.summary) on \(socket.address.endpoint): \(reason)")
    } catch let error as HTTPProtocolError {
      throw ProbeFailure(.badResponse, "\(request.summary): \(error.reason)")
    }
  }

  /// Sends `request` and keeps at most `limit` bytes of the body; the rest is read and dropped.
  func fetch(
    _ request: HTTPRequest, deadline: Deadline, connection: TCPSocket? = nil, limit: Int = 4096
  ) throws -> (head: HTTPResponseHead, body: [UInt8]) {
    var kept: [UInt8] = []
    let head = try send(request, deadline: deadline, connection: connection) { piece in
      if kept.count < limit { kept.append(contentsOf: piece.prefix(limit - kept.count)) }
    }
    return (head, kept)
  }

  private func connect(deadline: Deadline) throws -> TCPSocket {
    var candidates = addresses
    if candidates.isEmpty {
      do {
        candidates = try resolver.lookUp(
          host: endpoint.host, port: endpoint.port, deadline: deadline)
      } catch let error as ResolverError {
        throw error.failure(host: endpoint.host)
      }
    }
    return try TCPConnector.connect(to: candidates, deadline: deadline).socket
  }

  private func exchange(
    _ request: HTTPRequest, over socket: TCPSocket, deadline: Deadline,
    body: (UnsafeRawBufferPointer) throws -> Void
  ) throws -> HTTPResponseHead {
    try socket.send(Array(requestText(request).utf8) + request.body, deadline: deadline)
    var parser = HTTPResponseParser(requestMethod: request.method)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while !parser.isComplete {
      // Checked between reads too: a server that never stops sending never lets a read wait.
      guard !deadline.hasPassed else { throw SocketError(operation: "receive", code: ETIMEDOUT) }
      if let shouldStop, shouldStop() { throw Interrupted() }
      let wait = shouldStop == nil ? deadline : Deadline(seconds: min(deadline.remaining, 0.2))
      let count: Int
      do {
        count = try buffer.withUnsafeMutableBytes { try socket.receive(into: $0, deadline: wait) }
      } catch let error as SocketError where error.code == ETIMEDOUT && !deadline.hasPassed {
        continue
      }
      if count == 0 {
        try parser.finishAtClose()
        break
      }
      try buffer.withUnsafeBytes {
        try parser.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count]), body: body)
      }
    }
    guard let head = parser.head else { throw HTTPProtocolError("no response") }
    return head
  }

  /// The request line and headers; `Connection: close` so that the body ends with the stream.
  func requestText(_ request: HTTPRequest) -> String {
    var text = "\(request.method) \(endpoint.requestPath(request.path)) HTTP/1.1\r\n"
    text += "Host: \(endpoint.hostHeader)\r\n"
    text += "User-Agent: arraytool/\(ArrayTool.version)\r\n"
    text += "Accept: */*\r\nConnection: close\r\n"
    if let authorization = endpoint.authorization {
      text += "Authorization: \(authorization)\r\n"
    }
    if let contentType = request.contentType {
      text += "Content-Type: \(contentType)\r\n"
    }
    if request.method != "GET" || !request.body.isEmpty {
      text += "Content-Length: \(request.body.count)\r\n"
    }
    return text + "\r\n"
  }
}
