// File names in messages, found from their extension and walked back to their start.

import Testing

@testable import ArrayToolKit

@Suite struct MessageFieldsTests {
  @Test func aFileNameIsFoundWhateverItsLengthAndWhatEndsItInFront() {
    func name(_ text: String) -> String? {
      Array(text.utf8).withUnsafeBufferPointer { MessageFields.fileName(in: $0) }
    }
    let long = "PerfData_OceanStorDorado5000V6_SN_2102350TST10KA000042_SP0_0_20251006000000.tgz"
    #expect(name("[Worker 20] Processing \(long)") == long)
    #expect(name("Processing /data/in/\(long) now") == "/data/in/" + long)
    #expect(name("file=\(long)") == long)
    #expect(name("(\(long))") == long)
    for length in 1...20 {
      let short = String(repeating: "b", count: length) + ".tgz"
      #expect(name("x \(short)") == short)
      #expect(name(short) == short)
      #expect(name("é\(short)") == "é" + short)
    }
  }

  @Test func aWorkerNumberIsReadWholeOrNotAtAll() throws {
    func tag(_ text: String) -> Int? {
      Array(text.utf8).withUnsafeBufferPointer { MessageFields.leadingWorkerTag($0)?.worker }
    }
    #expect(tag("[Worker 12345678901] connection refused") == 12_345_678_901)
    #expect(tag("[Worker 123456789012345678] x") == 123_456_789_012_345_678)
    // Nineteen digits may not fit an Int: no worker is named rather than its first digits.
    #expect(tag("[Worker 9999999999999999999] x") == nil)
    let analysis = try LogTestSupport.analyze(
      """
      2025-10-07 01:00:00,000 - ERROR - [Worker 12345678901] connection refused by vmagent:8429
      2025-10-07 01:00:01,000 - ERROR - [Worker 99999999999999999999999] connection refused by vmagent:8429
      2025-10-07 01:00:02,000 - ERROR - [Worker 3] connection refused by vmagent:8429

      """)
    #expect(analysis.bursts.map(\.workerRange) == [3...12_345_678_901])
    #expect(analysis.bursts.map(\.workerCount) == [2])
  }
}

