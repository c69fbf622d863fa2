/** One sample of a metric family: its name (the family's, or with `_bucket`, `_sum`, `_count`), labels and value. */
export interface Sample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family as the exposition declares it. */
export interface Family {
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string | undefined;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
const LABEL_VALUE = String.raw`"(?:[^"\\\n]|\\[\\"n])*"`;
// Inf and NaN in any case, as Prometheus's own parser (Go's ParseFloat) takes them: prom-client writes "Nan".
const VALUE = String.raw`(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?[Ii][Nn][Ff]|[Nn][Aa][Nn])`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE})(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: (-?\\d+))?$`);
const LABEL = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, "g");
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

/**
 * Parses the Prometheus text exposition format (version 0.0.4) strictly: every line must follow its grammar, each
 * family be declared (TYPE) once before its samples, which come together; histograms have cumulative buckets up
 * to `le="+Inf"`, equal to their `_count`, and a `_sum`. Throws naming the line and the rule broken.
 */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, Family>();
  let current: string | undefined;
  const lines = text.slice(0, -1).split("\n");
  for (const [i, line] of lines.entries()) {
    const at = `line ${i + 1} (${JSON.stringify(line)})`;
    if (line.startsWith("#")) {
      const help = HELP.exec(line);
      const type = TYPE.exec(line);
      if (help) {
        const family = declare(families, help[1]!, at);
        if (family.help !== undefined) throw new Error(`${at}: a second HELP for ${help[1]}`);
        family.help = help[2]!;
        current = help[1];
      } else if (type) {
        const family = declare(families, type[1]!, at);
        if (family.samples.length > 0 || family.type !== "untyped") throw new Error(`${at}: TYPE after samples, or twice`);
        family.type = type[2] as Family["type"];
        current = type[1];
      } else if (/^# (HELP|TYPE) /.test(line)) {
        throw new Error(`${at}: malformed HELP or TYPE line`);
      }
      continue;
    }
    if (line === "") continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`${at}: not a sample line`);
    const name = match[1]!;
    const familyName = current !== undefined && belongsTo(name, current, families.get(current)!.type) ? current : undefined;
    if (familyName === undefined) throw new Error(`${at}: sample of ${name} outside its family (declared by TYPE first)`);
    const labels: Record<string, string> = {};
    for (const [, label, quoted] of (match[2] ?? "").matchAll(LABEL)) {
      if (Object.hasOwn(labels, label!)) throw new Error(`${at}: label ${label} twice`);
      labels[label!] = JSON.parse(quoted!) as string; // the escapes are JSON's: \\ \" \n
    }
    families.get(familyName)!.samples.push({ name, labels, value: parseValue(match[3]!) });
  }
  for (const [name, family] of families) if (family.type === "histogram") checkHistogram(name, family);
  return families;
}

/** The value of the sample `name` with exactly `labels` (besides `le` for buckets), or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const keys = Object.keys(sample.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => sample.labels[k] === labels[k])) return sample.value;
    }
  }
  return undefined;
}

function declare(families: Map<string, Family>, name: string, at: string): Family {
  let family = families.get(name);
  if (family === undefined) {
    family = { type: "untyped", help: undefined, samples: [] };
    families.set(name, family);
  } else if (family.samples.length > 0) {
    throw new Error(`${at}: ${name} declared again after its samples`);
  }
  return family;
}

function belongsTo(sample: string, family: string, type: Family["type"]): boolean {
  if (sample === family) return type !== "histogram";
  if (type === "histogram") return [`${family}_bucket`, `${family}_sum`, `${family}_count`].includes(sample);
  if (type === "summary") return [`${family}_sum`, `${family}_count`].includes(sample);
  return false;
}

function parseValue(text: string): number {
  if (/^[+]?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  return Number(text);
}

/** Checks each series of a histogram: buckets cumulative, ending at +Inf equal to `_count`, and a `_sum`. */
function checkHistogram(name: string, family: Family): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const id = JSON.stringify(Object.entries(rest).sort());
    const s = series.get(id) ?? { buckets: [] };
    series.set(id, s);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${name}: a bucket without le`);
      s.buckets.push([parseValue(le), sample.value]);
    } else if (sample.name.endsWith("_sum")) s.sum = sample.value;
    else s.count = sample.value;
  }
  for (const [id, s] of series) {
    const at = `${name}${id}`;
    if (s.sum === undefined || s.count === undefined) throw new Error(`${at}: no _sum or _count`);
    for (let i = 1; i < s.buckets.length; i++) {
      if (!(s.buckets[i]![0] > s.buckets[i - 1]![0]) || s.buckets[i]![1] < s.buckets[i - 1]![1]) throw new Error(`${at}: buckets not cumulative`);
    }
    const last = s.buckets.at(-1);
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY || last[1] !== s.count) throw new Error(`${at}: no +Inf bucket equal to _count`);
  }
}
