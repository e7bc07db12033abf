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
}
