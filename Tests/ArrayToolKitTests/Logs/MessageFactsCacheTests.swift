// The cache in front of the classifier may treat hex addresses as equal, and nothing else: a
// different port, status or file name must be classified again.

import Testing

@testable import ArrayToolKit

@Suite struct MessageFactsCacheTests {
  /// `sameUpToHex`, after checking that a remembered message compares the same way.
  private func same(_ a: String, _ b: String) -> Bool {
    let (reference, remembered) = bothComparisons(Array(a.utf8), Array(b.utf8))
    #expect(reference == remembered, "\(a) / \(b)")
    return reference
  }

  private func bothComparisons(_ left: [UInt8], _ right: [UInt8]) -> (Bool, Bool) {
    left.withUnsafeBufferPointer { l in
      right.withUnsafeBufferPointer { r in
        (MessageFactsCache.sameUpToHex(l, r), RememberedMessage(l).matches(r))
      }
    }
  }

  @Test func rememberedMessagesCompareAsSameUpToHex() {
    // Strings of hex digits, `x`, letters, `_`, `>` and spaces, each compared with changed
    // copies of itself: the two comparisons must agree on every pair.
    let alphabet = Array("0123456789abcdefxXg_> ".utf8)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func random(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    var agreeing = 0
    var equal = 0
    for _ in 0..<4000 {
      let base = (0..<random(24)).map { _ in alphabet[random(alphabet.count)] }
      var changed = base
      for _ in 0..<random(4) {
        let byte = alphabet[random(alphabet.count)]
        switch random(3) {
        case 0 where !changed.isEmpty: changed[random(changed.count)] = byte
        case 1: changed.insert(byte, at: random(changed.count + 1))
        default: if !changed.isEmpty { changed.remove(at: random(changed.count)) }
        }
      }
      let (reference, remembered) = bothComparisons(base, changed)
      if reference == remembered { agreeing += 1 }
      if reference { equal += 1 }
    }
    #expect(agreeing == 4000)
    // Both outcomes were exercised.
    #expect(equal > 500 && equal < 3500)
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
