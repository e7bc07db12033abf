// The order-keeping parallel map the reports render incidents with: exact results for every way
// a range can split into chunks.

import Testing

@testable import ArrayToolKit

@Suite struct OrderedParallelMapTests {
  @Test func keepsIndexOrderForEveryChunkCount() {
    for count in [0, 1, 2, 3, 7, 16, 17, 100] {
      for chunks in [1, 2, 3, 4, 8, 200] {
        let mapped = OrderedParallelMap.map(count, chunks: chunks) { $0 * 3 + 1 }
        #expect(mapped == (0..<count).map { $0 * 3 + 1 }, "count \(count), chunks \(chunks)")
      }
    }
  }

  @Test func mapsStringsWithTheDefaultChunks() {
    let mapped = OrderedParallelMap.map(40) { "incident \($0 + 1)" }
    #expect(mapped.count == 40)
    #expect(mapped.first == "incident 1")
    #expect(mapped[16] == "incident 17")
    #expect(mapped.last == "incident 40")
    #expect(OrderedParallelMap.map(3) { String($0) } == ["0", "1", "2"])
  }
}
