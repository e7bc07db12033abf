// Connecting to each resolved address in turn, and how socket errors are named.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct TCPConnectorTests {
  @Test func aClosedPortIsRefused() throws {
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let address = try #require(ResolvedAddress(ip: "127.0.0.1", port: port))
    #expect(
      throws: ProbeFailure(.connectionRefused, "127.0.0.1:\(port): connect: connection refused")
    ) {
      try TCPConnector.connect(to: [address], deadline: Deadline(seconds: 2))
    }
  }

  @Test func theNextAddressIsTriedAfterARefusal() throws {
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let refused = try #require(ResolvedAddress(ip: "127.0.0.1", port: closedPort))
    let open = try #require(ResolvedAddress(ip: "127.0.0.1", port: server.port))

    let connection = try TCPConnector.connect(to: [refused, open], deadline: Deadline(seconds: 2))
    #expect(connection.socket.address == open)
    #expect(
      connection.earlierFailures == ["127.0.0.1:\(closedPort): connect: connection refused"])
  }

  @Test func everyAddressIsNamedWhenAllFail() throws {
    let (first, firstPort) = try LoopbackSocket.bound()
    defer { close(first) }
    let (second, secondPort) = try LoopbackSocket.bound()
    defer { close(second) }
    let addresses = try [firstPort, secondPort].map {
      try #require(ResolvedAddress(ip: "127.0.0.1", port: $0))
    }
    #expect(
      throws: ProbeFailure(
        .connectionRefused,
        "127.0.0.1:\(firstPort): connect: connection refused; "
          + "127.0.0.1:\(secondPort): connect: connection refused")
    ) {
      try TCPConnector.connect(to: addresses, deadline: Deadline(seconds: 2))
    }
  }

  @Test func socketErrorsAreClassified() throws {
    let address = try #require(ResolvedAddress(ip: "192.0.2.1", port: 8429))
    #expect(
      SocketError(operation: "connect", code: ETIMEDOUT).failure(at: address)
        == ProbeFailure(.timeout, "192.0.2.1:8429: connect: no answer in time"))
    #expect(
      SocketError(operation: "connect", code: ENETUNREACH).failure(at: address)
        == ProbeFailure(.unreachable, "192.0.2.1:8429: connect: network is unreachable"))
    #expect(
      SocketError(operation: "receive", code: ECONNRESET).failure(at: address)
        == ProbeFailure(.connectionFailed, "192.0.2.1:8429: receive: connection reset by peer"))
  }
}
