import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ListKeysRequest, ListKeysResponseSchema } from "#gen/oups/v1/store_pb.js";
import { OupsError } from "../../store/errors.js";
import { indexFieldNames } from "../../store/keys/index-schema.js";
import { keyFromValues } from "../../store/keys/key.js";
import type { KeyValues } from "../../store/keys/key-tree.js";
import type { Store } from "../../store/store.js";
import { keyFromWire } from "../convert.js";
import { encodedResponse } from "../encoded-response.js";
import { KeyListEncoder } from "../key-list-encoder.js";
import { PackedKeyListEncoder } from "../packed-key-list-encoder.js";
import { decodePageToken, encodePageToken } from "../page-token.js";

/**
 * Bytes of keys in one page at most (when the client asks for pages): gRPC's default receive limit, so that any
 * client with default options reads every page, whatever --max-message-mb allows.
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

// Room left in a message for the page token after the keys: a path of at most 255 bytes per level, in base64.
const tokenReserve = (levels: number) => 16 + Math.ceil((levels * 256 * 4) / 3);

/**
 * ListKeys: the keys from the index, encoded as they are visited. With a page_size, a page ends at that many keys
 * or at {@link MAX_PAGE_BYTES}, whichever comes first; without one, every key goes in one response, or the call
 * fails with TOO_LARGE when they exceed the message limit. `packed` asks for the keys as one string of values
 * (packed_values) instead of one Key message each.
 */
export async function handleListKeys(store: Store, request: ListKeysRequest, maxMessageBytes: number): Promise<MessageInitShape<typeof ListKeysResponseSchema>> {
  const schema = store.requireSchema();
  const after = request.pageToken === "" ? undefined : decodePageToken(schema, request.pageToken);
  const pageSize = request.pageSize;
  const maxBytes = (pageSize === 0 ? maxMessageBytes : Math.min(maxMessageBytes, MAX_PAGE_BYTES)) - tokenReserve(schema.levels.length);
  const fieldNames = indexFieldNames(schema);
  const encoder = request.packed ? new PackedKeyListEncoder(fieldNames) : new KeyListEncoder(fieldNames);
  let last: KeyValues | undefined;
  let more = false;
  await store.forEachKey({ filter: keyFromWire(request.prefix), after }, (values) => {
    if ((pageSize > 0 && encoder.count === pageSize) || !encoder.add(values, maxBytes)) {
      more = true;
      return false;
    }
    last = values;
    return true;
  });
  if (more && pageSize === 0) {
    throw new OupsError(
      "TOO_LARGE",
      `the keys listed do not fit in one message of ${maxMessageBytes} bytes (--max-message-mb): ask for them in pages with page_size`,
    );
  }
  const token = more && last !== undefined ? encodePageToken(schema, keyFromValues(schema, last)) : "";
  return encodedResponse<typeof ListKeysResponseSchema>(encoder.finish(token));
}
