// The HTTP/1.1 response parser: bodies by length, chunked and until close, fed in every
// possible piece size, and the malformed answers it must refuse.

import Testing

@testable import ArrayToolKit

/// Feeds `response` to a parser in pieces of `pieceSize` bytes and returns the head and body.
private func parse(_ response: String, pieceSize: Int, closeAtEnd: Bool = false) throws
  -> (HTTPResponseHead?, String, Bool)
{
  var parser = HTTPResponseParser()
  var body: [UInt8] = []
  let bytes = Array(response.utf8)
  var start = 0
  while start < bytes.count {
    let end = min(start + pieceSize, bytes.count)
    try bytes[start..<end].withUnsafeBytes { piece in
      try parser.feed(piece) { body.append(contentsOf: $0) }
    }
    start = end
  }
  if closeAtEnd { try parser.finishAtClose() }
  return (parser.head, String(decoding: body, as: UTF8.self), parser.isComplete)
}

@Suite struct HTTPResponseParserTests {
  @Test func aContentLengthBodyEndsAtItsLength() throws {
    let response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Server-Hostname: vm\r\n\r\nOKextra"
    for size in [1, 3, 7, 100] {
      let (head, body, complete) = try parse(response, pieceSize: size)
      #expect(
        head
          == HTTPResponseHead(
            status: 200, reason: "OK", headers: ["content-length": "2", "x-server-hostname": "vm"]))
      #expect(body == "OK")
      #expect(complete)
    }
  }

  @Test func chunkedBodiesAreDecodedWhateverThePieces() throws {
    let response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "5\r\nvmage\r\n3;ext=1\r\nnt_\r\nA\r\nremotewrit\r\n0\r\nTrailer: x\r\n\r\n"
    for size in 1...12 {
      let (head, body, complete) = try parse(response, pieceSize: size)
      #expect(head?.status == 200)
      #expect(body == "vmagent_remotewrit")
      #expect(complete)
    }
  }

  @Test func aBodyWithoutLengthRunsUntilTheClose() throws {
    let (head, body, complete) = try parse(
      "HTTP/1.0 503 Service Unavailable\r\n\r\nstorage is read-only\n", pieceSize: 4,
      closeAtEnd: true)
    #expect(head?.status == 503)
    #expect(head?.reason == "Service Unavailable")
    #expect(body == "storage is read-only\n")
    #expect(complete)
  }

  @Test func noContentHasNoBody() throws {
    let (head, body, complete) = try parse("HTTP/1.1 204 No Content\r\n\r\n", pieceSize: 5)
    #expect(head?.status == 204)
    #expect(body == "")
    #expect(complete)
  }

  @Test func aCutBodyIsAnError() throws {
    #expect(throws: HTTPProtocolError("the server closed the connection in the middle of the body"))
    {
      _ = try parse(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nOK", pieceSize: 8, closeAtEnd: true)
    }
    #expect(throws: HTTPProtocolError("the server closed the connection without answering")) {
      _ = try parse("", pieceSize: 1, closeAtEnd: true)
    }
  }

  @Test func somethingElseThanHTTPIsRefused() throws {
    #expect(throws: HTTPProtocolError("not an HTTP response: 'SSH-2.0-OpenSSH_9.2'")) {
      _ = try parse("SSH-2.0-OpenSSH_9.2\r\n\r\n", pieceSize: 64)
    }
    #expect(throws: HTTPProtocolError("bad chunk size 'zz'")) {
      _ = try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", pieceSize: 64)
    }
  }

  @Test func anEndlessHeadIsCutOff() throws {
    let endless = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 4000)
    #expect(throws: HTTPProtocolError("the response head is longer than 64 KiB")) {
      _ = try parse(endless, pieceSize: 4096)
    }
  }
}
