// A scratch folder for verify tests with the standard unit of an export (a .dat of the controller
// block of the format document, packed as the array packs it) and one-call verification.

@testable import ArrayToolKit

/// Builds verify inputs and runs `Verifier.verify` on them.
final class VerifyFixture {
  let scratch: ScratchDirectory
  /// A complete .dat: header, one block with three rows of two values.
  let dat = DatBuilder.file([DatBuilder.controllerBlock])
  let datName = DatBuilder.name()
  let tgzName = DatBuilder.name(suffix: ".tgz")

  init() throws {
    scratch = try ScratchDirectory()
  }

  /// The tar of the .dat, as it goes into the .tgz.
  var tar: [UInt8] {
    var builder = TarBuilder()
    builder.file(datName, dat)
    return builder.build()
  }

  /// The .tgz of the .dat.
  var tgz: [UInt8] { GzipBuilder.member(tar) }

  /// Writes `bytes` to `name` in the scratch folder.
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    try scratch.write(name, bytes)
  }

  /// Writes a zip of `entries` to `name`; returns its path and layout.
  func zip(_ name: String, _ entries: [ZipBuilder.Entry], prepended: [UInt8] = [])
    throws -> (path: String, built: ZipBuilder.Output)
  {
    var builder = ZipBuilder()
    builder.prepended = prepended
    for entry in entries { builder.add(entry) }
    let built = builder.build()
    return (try scratch.write(name, built.bytes), built)
  }

  func verify(_ paths: [String], options: VerifyOptions = VerifyOptions()) throws -> VerifyResult {
    try Verifier.verify(paths: paths, options: options)
  }

  /// The problem lines of verifying `paths`.
  func problems(_ paths: [String], options: VerifyOptions = VerifyOptions()) throws -> [String] {
    try verify(paths, options: options).problems.map(\.line)
  }
}
