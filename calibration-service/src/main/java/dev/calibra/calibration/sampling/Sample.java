package dev.calibra.calibration.sampling;

/**
 * One calibration row and where it came from.
 *
 * @param tokens        seq_len token ids
 * @param corpusId      corpus id, empty for generated or random samples
 * @param documentIndex document index in the corpus (0-based), -1 when not from one document
 * @param tokenOffset   offset of the first non-BOS token in the document's (or joined stream's) tokens
 */
public record Sample(int[] tokens, String corpusId, long documentIndex, long tokenOffset) {}
