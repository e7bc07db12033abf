import Foundation
import Testing

@testable import ArrayToolKit

/// Real archives committed in `Fixtures/`: an array's export and a zip that Info-ZIP streamed.
@Suite struct SampleArchiveTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

  @Test func theSampleExportHoldsEightUnitsAndTwoManifests() throws {
    let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
    let listing = try PerfInput.units(for: [path])
    let prefix = "PerfData_OceanStorDorado5000V6_SN_2102350TST10KA000042_"
    let windows = [
      "SP0_0_20250925000000", "SP1_0_20250925003000", "SP0_0_20250925010000",
      "SP1_0_20250925013000", "SP0_0_20250925020000", "SP1_0_20250925023000",
      "SP0_0_20250925030000", "SP1_0_20250925033000",
    ]
    #expect(listing.units.map(\.member) == windows.map { "2025-09-25/\(prefix)\($0).tgz" })
    #expect(listing.units.map(\.containerSize) == [3302, 3147, 3210, 3195, 3184, 3145, 3172, 3145])
    #expect(listing.otherMembers == ["SHA256SUMS", "MD5SUMS"])
    #expect(listing.faults.isEmpty)
    #expect(listing.notes.isEmpty)

    // CRC-32 of each .dat as Python's zipfile, tarfile and zlib compute it.
    let checksums: [UInt32] = [
      0xcd51_6f6f, 0x8e84_a613, 0x03e2_6528, 0x0aa7_ea23, 0x18b6_5817, 0xdfb4_6e52, 0x49df_86a2,
      0x8d89_7859,
    ]
    for (index, unit) in listing.units.enumerated() {
      let stream = try unit.open()
      // `unzip -p … | tar tzv` lists every .dat with 36211 bytes.
      #expect(stream.length == 36211)
      #expect(stream.datName == "\(prefix)\(windows[index]).dat")
      let dat = try readAll(stream, chunk: 65536)
      #expect(dat.count == 36211)
      #expect(CRC32.checksum(dat) == checksums[index])
      try stream.finish()
      #expect(stream.notes.isEmpty)
    }
  }

  @Test func theSampleUnitsCanBeReadOnSeveralThreadsAtOnce() throws {
    let path = SampleArchiveTests.fixtures + "/Storage_History_Performance_Files.zip"
    let units = try PerfInput.units(for: [path]).units
    final class Sizes: @unchecked Sendable {
      let lock = NSLock()
      var values = [Int](repeating: -1, count: 8)
    }
    let sizes = Sizes()
    DispatchQueue.concurrentPerform(iterations: units.count) { index in
      let size = try? { () throws -> Int in
        let stream = try units[index].open()
        let count = try readAll(stream, chunk: 1000).count
        try stream.finish()
        return count
      }()
      sizes.lock.lock()
      sizes.values[index] = size ?? -2
      sizes.lock.unlock()
    }
    #expect(sizes.values == [Int](repeating: 36211, count: 8))
  }

  @Test func anInfoZipStreamedArchiveIsReadThroughItsDataDescriptors() throws {
    let path = SampleArchiveTests.fixtures + "/infozip-streamed.zip"
    let archive = try ZipArchive(file: InputFile(path: path))
    #expect(archive.entries.map(\.hasDataDescriptor) == [true, true])
    #expect(
      try readAll(archive.open(archive.entries[1])) == Array("streamed by Info-ZIP\n".utf8))

    let listing = try PerfInput.units(for: [path])
    #expect(
      listing.units.map(\.member) == [
        "PerfData_OceanStorDorado5000V6_SN_2102350TST10KA000042_SP0_0_20250925000000.tgz"
      ])
    #expect(listing.otherMembers == ["README.txt"])
    let stream = try listing.units[0].open()
    #expect(try readAll(stream).count == 36211)
    try stream.finish()
  }
}
