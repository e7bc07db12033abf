// The cache in front of the classifier may treat hex addresses as equal, and nothing else: a
// different port, status or file name must be classified again.

import Testing

@testable import ArrayToolKit

@Suite struct MessageFactsCacheTests {
  private func same(_ a: String, _ b: String) -> Bool {
    let left = Array(a.utf8)
    let right = Array(b.utf8)
    return left.withUnsafeBufferPointer { l in
      right.withUnsafeBufferPointer { r in MessageFactsCache.sameUpToHex(l, r) }
    }
  }

  @Test func hexAddressesCompareEqual() {
    #expect(same("object at 0x7fd51b1815>: failed", "object at 0x7f00ed6b02>: failed"))
    #expect(same("request 3f2a1b9c8d7e failed", "request a1b2c3d4e5f6 failed"))
    #expect(same("0x1 x", "0x2 x"))
  }

  @Test func everythingElseMustMatch() {
    #expect(!same("host='vmagent', port=8429", "host='vmagent', port=8428"))
    #expect(!same("status 503", "status 502"))
    #expect(!same("file_20251007002400.tgz", "file_20251007002500.tgz"))
    #expect(!same("id deadbeefcafe ok", "id deadbeefcafe ko"))
    #expect(!same("abc", "abcd"))
    #expect(!same("word cafe12", "word cafe13"))
  }

  @Test func repeatedMessagesAreClassifiedOnce() {
    var cache = MessageFactsCache(capacity: 4)
    for index in 0..<50 {
      let text =
        "Failed to resolve 'vmagent' at 0x7f\(String(index, radix: 16))aa11 [Errno -3] "
        + "Temporary failure in name resolution"
      let message = Array(text.utf8)
      let facts = message.withUnsafeBufferPointer { cache.facts(of: $0, accessStatus: 0) }
      #expect(facts.errorClass == .dnsTemporary)
    }
    #expect(cache.misses == 1)
    #expect(cache.hits == 49)
    let other = Array("Failed to resolve 'vmagent2' at 0x7f00 [Errno -3] Temporary failure".utf8)
    let facts = other.withUnsafeBufferPointer { cache.facts(of: $0, accessStatus: 0) }
    #expect(facts.host == "vmagent2")
    #expect(cache.misses == 2)
  }
}
