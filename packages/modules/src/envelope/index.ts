export { looksLikeEnvelope, parseStoredValue, plainEnvelope, serializeEnvelope, validateEnvelope } from "./parse.js"
export { selectActive, selectAt, selectCurrent, selectVersion } from "./select.js"
export { describeTransition, transition } from "./transition.js"
export { checkSize, serializedByteLength } from "./size.js"
export { decodeBase64Url, decodeValue, encodeBase64Url, randomValue } from "./encoding.js"
export { formatSealedText, isSealedFormat, parseSealedText, SEALED_TEXT_PREFIX } from "./sealed-text.js"
export { formatRfc3339, isRfc3339, parseRfc3339 } from "./rfc3339.js"
export { compareVersionIds, isVersionId, nextVersionId } from "./version-id.js"
export { isExpired, versionIdsOldestFirst } from "./order.js"
export { findDuplicateKey } from "./duplicate-keys.js"
export { describeType, isPlainObject } from "./describe.js"
export type { DuplicateKey } from "./duplicate-keys.js"
export { EncodingError, EnvelopeError, TransitionError } from "./errors.js"
export type {
  ActiveVersion,
  Envelope,
  EnvelopeRule,
  EnvelopeVersion,
  PlainVersion,
  RetainOptions,
  SealedParts,
  SealedVersion,
  Selection,
  SelectionFailureCode,
  SizeCheck,
  SizeStatus,
  StoredValue,
  TransitionInput,
  TransitionSummary,
  ValueFormat,
  VersionEntry,
} from "./types.js"
