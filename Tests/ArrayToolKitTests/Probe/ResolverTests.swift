// The system resolver and the classification of its failures: literals, names under .invalid,
// a lookup that hangs, and each getaddrinfo code.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ResolverTests {
  @Test func anIPv4LiteralResolvesToItself() throws {
    let addresses = try SystemResolver().lookUp(
      host: "127.0.0.1", port: 8429, deadline: Deadline(seconds: 2))
    #expect(addresses.map(\.endpoint) == ["127.0.0.1:8429"])
    #expect(addresses.map(\.family) == [.ipv4])
  }

  @Test func anIPv6LiteralResolvesToItself() throws {
    let addresses = try SystemResolver().lookUp(
      host: "::1", port: 8428, deadline: Deadline(seconds: 2))
    #expect(addresses.map(\.endpoint) == ["[::1]:8428"])
    #expect(addresses.map(\.family) == [.ipv6])
  }

  @Test func namesUnderInvalidAreNotFoundWithoutAsking() {
    #expect(throws: ResolverError.reservedName(domain: "invalid")) {
      try SystemResolver().lookUp(
        host: "vmagent.invalid", port: 8429, deadline: Deadline(seconds: 2))
    }
    #expect(throws: ResolverError.reservedName(domain: "invalid")) {
      try SystemResolver().lookUp(host: "X.INVALID.", port: 8429, deadline: Deadline(seconds: 2))
    }
    let failure = ResolverError.reservedName(domain: "invalid").failure(host: "vmagent.invalid")
    #expect(failure.kind == .dnsNotFound)
    #expect(
      failure.message
        == "vmagent.invalid: names under .invalid never exist (RFC 6761), nothing was asked")
  }

  @Test func aHungLookupIsAbandonedAtTheDeadline() throws {
    let resolver = SystemResolver { _, _ in
      sleep(5)
      return .failure(.noUsableAddress)
    }
    let started = Deadline.now()
    let error = #expect(throws: ResolverError.self) {
      try resolver.lookUp(host: "vmagent", port: 8429, deadline: Deadline(seconds: 0.3))
    }
    let waited = Deadline.now() - started
    #expect(waited >= 0.3)
    #expect(waited < 1.0)
    let failure = try #require(error).failure(host: "vmagent")
    #expect(failure.kind == .dnsTemporary)
    #expect(failure.message == "vmagent: the resolver did not answer within 0.3 s")
  }

  @Test func getaddrinfoCodesAreClassified() {
    #expect(ResolverError.kind(code: EAI_AGAIN) == .dnsTemporary)
    #expect(ResolverError.kind(code: EAI_NONAME) == .dnsNotFound)
    #expect(ResolverError.kind(code: -5) == .noAddress)
    #expect(ResolverError.kind(code: -9) == .noAddress)
    #expect(ResolverError.kind(code: EAI_FAIL) == .dnsFailed)
    #expect(ResolverError.kind(code: EAI_SYSTEM) == .dnsFailed)
  }

  @Test func getaddrinfoFailuresNameTheConstant() {
    let temporary = ResolverError.lookupFailed(code: EAI_AGAIN, systemErrno: 0)
    #expect(
      temporary.failure(host: "vmagent")
        == ProbeFailure(
          .dnsTemporary, "vmagent: temporary failure in name resolution (EAI_AGAIN)"))
    let unknown = ResolverError.lookupFailed(code: EAI_NONAME, systemErrno: 0)
    #expect(
      unknown.failure(host: "vmagnet")
        == ProbeFailure(.dnsNotFound, "vmagnet: name or service not known (EAI_NONAME)"))
    let system = ResolverError.lookupFailed(code: EAI_SYSTEM, systemErrno: EMFILE)
    #expect(
      system.failure(host: "vmagent")
        == ProbeFailure(.dnsFailed, "vmagent: too many open files (EAI_SYSTEM)"))
  }

  @Test func addressesKeepTheirFamilyAndPort() throws {
    let v6 = try #require(ResolvedAddress(ip: "fe80::1", port: 80))
    #expect(v6.family == .ipv6)
    #expect(v6.endpoint == "[fe80::1]:80")
    #expect(ResolvedAddress(ip: "vmagent", port: 80) == nil)
    #expect(ResolvedAddress(ip: "300.1.1.1", port: 80) == nil)
  }
}
