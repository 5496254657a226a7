/**
 * A small, strict, streaming JSON reader for dataset files, so that loaders need no third-party
 * library and never hold a whole multi-megabyte file as one string.
 *
 * <p>{@link io.tributary.data.json.JsonReader} reports every syntax error as an
 * {@link io.tributary.data.DatasetFormatException} naming the file and the byte offset.
 */
package io.tributary.data.json;
