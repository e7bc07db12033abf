// The progress line of verify (and of import's preflight): what the meter tells and when, the
// line it becomes, and that a real run ends at the size of its inputs whatever it read twice or
// not at all.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct VerifyProgressTests {
  @Test func theMeterTellsAtMostFourTimesASecondAndOnceAtTheEnd() {
    var times: [Double] = [0, 0.1, 0.3, 0.35, 0.6, 0.7]
    var told: [ReadProgress] = []
    let meter = ReadProgressMeter(sizes: [100, 50], clock: { times.removeFirst() }) {
      told.append($0)
    }
    meter.startFile(size: 100)
    meter.advance(40)  // 0.1: too soon
    meter.advance(40)  // 0.3: told
    meter.advance(40)  // 0.35: too soon; the file holds no more than its size
    meter.finishFile()
    meter.startFile(size: 50)
    meter.advance(10)  // 0.6: told
    meter.finishFile()
    meter.finish()  // 0.7
    #expect(
      told == [
        ReadProgress(bytesDone: 80, bytesTotal: 150, filesDone: 0, filesTotal: 2, seconds: 0.3),
        ReadProgress(bytesDone: 110, bytesTotal: 150, filesDone: 1, filesTotal: 2, seconds: 0.6),
        ReadProgress(bytesDone: 150, bytesTotal: 150, filesDone: 2, filesTotal: 2, seconds: 0.7),
      ])
    #expect(times.isEmpty)
  }

  @Test func theLineSaysFilesBytesRateAndTimeLeft() {
    let running = ReadProgress(
      bytesDone: 1_234_000_000, bytesTotal: 5_678_000_000, filesDone: 3, filesTotal: 50,
      seconds: 11.75)
    #expect(
      VerifyReport.progressLine(running)
        == "verify: files 3/50 · 1,234 of 5,678 MB (21 %) · 105 MB/s · ETA 42 s")
    let done = ReadProgress(
      bytesDone: 5_678_000_000, bytesTotal: 5_678_000_000, filesDone: 50, filesTotal: 50,
      seconds: 54)
    #expect(
      VerifyReport.progressLine(done, label: "preflight")
        == "preflight: files 50/50 · 5,678 of 5,678 MB (100 %) · 105 MB/s")
    let starting = ReadProgress(bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0, seconds: 0)
    #expect(VerifyReport.progressLine(starting) == "verify: files 0/0 · 0 of 0 kB (100 %)")
    // Less than 10 MB is counted in kB.
    let small = ReadProgress(
      bytesDone: 27_773, bytesTotal: 27_773, filesDone: 1, filesTotal: 1, seconds: 0.01)
    #expect(
      VerifyReport.progressLine(small) == "verify: files 1/1 · 27 of 27 kB (100 %) · 2,777 kB/s")
  }

  @Test func aRunEndsAtTheSizeOfItsInputs() throws {
    let fixture = try VerifyFixture()
    // A zip whose entry is read twice (its unit fails before it yields a stream, and the entry
    // is read again for its CRC), a loose .tgz, and a manifest read before the pass, which the
    // pass does not read again.
    var broken = TarBuilder()
    broken.file("../x.dat", fixture.dat)
    let (zip, _) = try fixture.zip(
      "export.zip",
      [ZipBuilder.Entry("2025-09-25/" + fixture.tgzName, GzipBuilder.member(broken.build()))])
    let tgz = try fixture.write(fixture.tgzName, fixture.tgz)
    let note = try fixture.write(
      "SHA256SUMS", Array("\(Digest.hex(.sha256, of: fixture.tgz))  \(fixture.tgzName)\n".utf8))
    final class Told: @unchecked Sendable { var all: [ReadProgress] = [] }
    let told = Told()
    var options = VerifyOptions()
    options.progress = { told.all.append($0) }
    let result = try fixture.verify([zip, tgz, note], options: options)
    #expect(result.problems.map(\.kind) == [.unsafeName])
    #expect(result.checksumsMatched == 1)
    let sizes = try [zip, tgz, note].map {
      Int64(try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int)
    }
    let total = sizes.reduce(0, +)
    #expect(
      told.all.last
        == ReadProgress(
          bytesDone: total, bytesTotal: total, filesDone: 3, filesTotal: 3,
          seconds: told.all.last?.seconds ?? -1))
    // Read twice or not at all, a file counts its size once.
    #expect(result.bytesRead != total)
    #expect(told.all.map(\.bytesDone) == told.all.map(\.bytesDone).sorted())
  }
}
