// Whether a failed request may have reached the server: a body sent into a server that never
// answers may have been stored, a connection refused carried nothing.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct HTTPSenderArrivalTests {
  private let body = Data(repeating: 0x41, count: 10_000)

  @Test func aTimeoutAfterTheBodyWentOutMayHaveArrived() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let sender = HTTPSender(timeout: 1, connections: 1, credentials: .none)
    let failure = sender.post(body, to: URL(string: server.url + "/api/v1/import")!, gzipped: false)
    #expect(failure?.kind == .timeout)
    #expect(failure?.mayHaveArrived == true)
  }

  @Test func aRefusedConnectionCarriedNothing() throws {
    let (listener, port) = try LoopbackSocket.listen()
    close(listener)
    let sender = HTTPSender(timeout: 1, connections: 1, credentials: .none)
    let failure = sender.post(
      body, to: URL(string: "http://127.0.0.1:\(port)/api/v1/import")!, gzipped: false)
    #expect(failure?.kind == .connectionRefused)
    #expect(failure?.mayHaveArrived == false)
  }

  @Test func anAnswerIsNoDoubt() throws {
    let server = try LoopbackServer(status: 503, reason: "Service Unavailable", body: "busy\n")
    defer { server.stop() }
    let sender = HTTPSender(timeout: 2, connections: 1, credentials: .none)
    let failure = sender.post(body, to: URL(string: server.url + "/api/v1/import")!, gzipped: false)
    #expect(failure?.status == 503)
    #expect(failure?.mayHaveArrived == false)
  }
}
