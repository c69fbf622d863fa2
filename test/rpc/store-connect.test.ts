import test from "ava";
import { status } from "@grpc/grpc-js";
import { OupsClientError, Store, toplevel } from "../../client/src/index.js";
import { daemonTest, testIndex } from "../helpers/with-daemon.js";
import { columnValues, marketBatch } from "./helpers/market-data.js";

/** The declaration of the store the fixture opens (`symbol-year/month`), under another name: names do not matter. */
const Index = toplevel("MarketIndex", { symbol: "string", year: "int" }, { month: "int" });

test(
  "connect with a matching declaration gives typed keys for writes, reads and listings",
  daemonTest(async (t, { daemon, client }) => {
    const store = await Store.connect(daemon.address, Index);
    t.teardown(() => store.close());
    await store.get({ symbol: "AAPL", year: 2024, month: 3 }).write(marketBatch(0, 10), { orderedOn: "timestamp" });
    await store.get(Index.key({ symbol: "AAPL", year: 2024n, month: 11 })).write(marketBatch(0, 5), { orderedOn: "timestamp" });
    t.deepEqual(await store.keys(), [
      { symbol: "AAPL", year: 2024, month: 3 },
      { symbol: "AAPL", year: 2024, month: 11 },
    ]);
    t.deepEqual(await store.keys({ month: 11 }), [{ symbol: "AAPL", year: 2024, month: 11 }]);
    const table = await store.get({ symbol: "AAPL", year: 2024, month: 3 }).read({ columns: ["qty"] });
    t.deepEqual(Array.from(columnValues(table, "qty")), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The wire form of the same key, through the untyped client.
    t.is((await client.describe({ symbol: "AAPL", year: "2024", month: "3" })).totalRows, 10);
    t.deepEqual(await client.getIndexSchema(), testIndex);
  }),
);

const mismatches = [
  { title: "a field of another type", index: toplevel("I", { symbol: "string", year: "string" }, { month: "int" }) },
  { title: "a field of another name", index: toplevel("I", { ticker: "string", year: "int" }, { month: "int" }) },
  { title: "fields in another order", index: toplevel("I", { year: "int", symbol: "string" }, { month: "int" }) },
  { title: "other levels", index: toplevel("I", { symbol: "string", year: "int", month: "int" }) },
  { title: "another separator", index: toplevel("I", { symbol: "string", year: "int" }, { month: "int" }, { fieldSeparator: "_" }) },
];

for (const { title, index } of mismatches) {
  test(
    `connect with a declaration of ${title} fails with SCHEMA_MISMATCH and leaves the store's schema`,
    daemonTest(async (t, { daemon, client }) => {
      const err = await t.throwsAsync(Store.connect(daemon.address, index), { instanceOf: OupsClientError });
      t.is(err?.code, "SCHEMA_MISMATCH");
      t.is(err?.grpcCode, status.FAILED_PRECONDITION);
      t.deepEqual(await client.getIndexSchema(), testIndex);
    }),
  );
}

test(
  "connect on an empty store initialises it with the declaration",
  daemonTest(
    async (t, { daemon, client }) => {
      const store = await Store.connect(daemon.address, Index);
      t.teardown(() => store.close());
      t.deepEqual(await client.getIndexSchema(), { ...Index.schema });
      await store.get({ symbol: "X", year: 1, month: 2 }).write(marketBatch(0, 1), { orderedOn: "timestamp" });
      t.deepEqual(await store.keys(), [{ symbol: "X", year: 1, month: 2 }]);
    },
    { index: null },
  ),
);

test(
  "concurrent connects on an empty store with the same declaration all succeed",
  daemonTest(
    async (t, { daemon, client }) => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => Store.connect(daemon.address, Index)));
      for (const r of results) if (r.status === "fulfilled") t.teardown(() => r.value.close());
      t.deepEqual(
        results.map((r) => (r.status === "fulfilled" ? "connected" : (r.reason as Error).message)),
        results.map(() => "connected"),
      );
      t.deepEqual(await client.getIndexSchema(), { ...Index.schema });
    },
    { index: null },
  ),
);

test(
  "concurrent connects on an empty store with different declarations: the first one wins, the others get SCHEMA_MISMATCH",
  daemonTest(
    async (t, { daemon, client }) => {
      const other = toplevel("Other", { symbol: "string" });
      const names = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? Index.schema.name : other.schema.name));
      const results = await Promise.allSettled(
        names.map((name) => (name === Index.schema.name ? Store.connect(daemon.address, Index) : Store.connect(daemon.address, other))),
      );
      for (const r of results) if (r.status === "fulfilled") t.teardown(() => r.value.close());
      const winner = await client.getIndexSchema();
      names.forEach((name, i) => {
        const r = results[i]!;
        if (name === winner.name) t.is(r.status, "fulfilled", `connect ${i}`);
        else t.is(r.status === "rejected" && (r.reason as OupsClientError).code, "SCHEMA_MISMATCH", `connect ${i}`);
      });
    },
    { index: null },
  ),
);

test("TypeScript refuses keys with a missing, misspelled or mistyped field", (t) => {
  // Each line below fails to compile; if tsc stops reporting it, the unused @ts-expect-error fails the build.
  // @ts-expect-error: "month" is missing
  t.throws(() => Index.key({ symbol: "A", year: 2024 }), { instanceOf: TypeError, message: /month/ });
  // @ts-expect-error: "mnth" is not a field, and "month" is missing
  t.throws(() => Index.key({ symbol: "A", year: 2024, mnth: 1 }), { instanceOf: TypeError, message: /month/ });
  // @ts-expect-error: "year" is an int field
  t.notThrows(() => Index.key({ symbol: "A", year: "2024", month: 1 }));
  t.deepEqual({ ...Index.key({ symbol: "A", year: 2024, month: 1 }) }, { symbol: "A", year: "2024", month: "1" });
});

test(
  "TypeScript refuses a misspelled key given to Store.get, even when every value is text",
  daemonTest(
    async (t, { daemon }) => {
      const Strings = toplevel("DataIndex", { symbol: "string", year: "string", month: "string" });
      const store = await Store.connect(daemon.address, Strings);
      t.teardown(() => store.close());
      // @ts-expect-error: "mnth" is not a field of DataIndex
      t.throws(() => store.get({ symbol: "AAPL", year: "2023", mnth: "01" }), { instanceOf: TypeError, message: /month/ });
      // @ts-expect-error: a key of another declaration
      t.throws(() => store.get(toplevel("Other", { ticker: "string" }).key({ ticker: "AAPL" })), { instanceOf: TypeError });
      t.is(store.get(Strings.key({ symbol: "AAPL", year: "2023", month: "01" })).key.month, "01");
    },
    { index: null },
  ),
);
