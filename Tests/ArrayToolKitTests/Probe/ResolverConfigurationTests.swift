// Reading resolv.conf the way glibc does: nameservers, search domains, options and their limits,
// and the LOCALDOMAIN and RES_OPTIONS overrides.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct ResolverConfigurationTests {
  @Test func readsNameserversSearchDomainsAndOptions() {
    let text = """
      # written by the container runtime
      nameserver 10.0.0.2
      nameserver 10.0.0.3 ; a comment after the value
      search corp.example lab.example
      options ndots:5 timeout:2 attempts:3 rotate
      """
    let configuration = ResolverConfiguration.parse(text, source: "/etc/resolv.conf")
    #expect(configuration.nameservers == ["10.0.0.2", "10.0.0.3"])
    #expect(configuration.search == ["corp.example", "lab.example"])
    #expect(configuration.ndots == 5)
    #expect(configuration.timeout == 2)
    #expect(configuration.attempts == 3)
    #expect(
      configuration.summary
        == "nameserver 10.0.0.2, 10.0.0.3; search corp.example lab.example; ndots 5;"
        + " timeout 2 s, 3 attempts (/etc/resolv.conf)")
  }

  @Test func theLastOfDomainAndSearchWins() {
    let searchThenDomain = ResolverConfiguration.parse(
      "search a.example b.example\ndomain c.example\n", source: "x")
    #expect(searchThenDomain.search == ["c.example"])
    let domainThenSearch = ResolverConfiguration.parse(
      "domain c.example\nsearch a.example\n", source: "x")
    #expect(domainThenSearch.search == ["a.example"])
  }

  @Test func optionsAreCappedAtGlibcLimits() {
    let configuration = ResolverConfiguration.parse(
      "options ndots:40 timeout:99 attempts:9\n", source: "x")
    #expect(configuration.ndots == 15)
    #expect(configuration.timeout == 30)
    #expect(configuration.attempts == 5)
  }

  @Test func anEmptyFileGivesGlibcDefaults() {
    let configuration = ResolverConfiguration.parse("", source: "/etc/resolv.conf")
    #expect(configuration.nameservers.isEmpty)
    #expect(configuration.ndots == 1)
    #expect(
      configuration.summary
        == "no nameserver (glibc then asks 127.0.0.1); no search domain; ndots 1;"
        + " timeout 5 s, 2 attempts (/etc/resolv.conf)")
  }

  @Test func environmentOverridesSearchAndOptions() throws {
    try withTemporaryFolder("resolv") { folder in
      let path = folder.appendingPathComponent("resolv.conf").path
      try "nameserver 192.0.2.53\nsearch file.example\noptions ndots:2\n"
        .write(toFile: path, atomically: true, encoding: .utf8)

      let configuration = ResolverConfiguration.load(
        path: path,
        environment: ["LOCALDOMAIN": "env.example other.example", "RES_OPTIONS": "ndots:4"])
      #expect(configuration.nameservers == ["192.0.2.53"])
      #expect(configuration.search == ["env.example", "other.example"])
      #expect(configuration.ndots == 4)
    }
  }

  @Test func aMissingFileIsReportedWithItsReason() {
    let configuration = ResolverConfiguration.load(path: "/nonexistent/resolv.conf")
    #expect(configuration.unreadable == "no such file or directory")
    #expect(
      configuration.summary
        == "/nonexistent/resolv.conf: no such file or directory; glibc then asks 127.0.0.1")
  }
}
