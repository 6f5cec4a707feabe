// A commune app's use of the generated types, compiled with `tsc --noEmit --strict` in CI:
// it builds and sends a report with figures, reads a ranking's entries and a feed item's
// payload — without a cast or `any` anywhere (the CI script checks that too).
import createClient from "openapi-fetch";
import type { components, paths } from "../../target/clients/schema";

type ReportBody = components["schemas"]["ReportBody"];

// JSON and problem documents only: the tables' CSV and XLSX have their own download operations.
const client = createClient<paths, `${string}/${string}json`>({ baseUrl: "http://127.0.0.1:8080" });

export async function fileTheSeedReport(token: string): Promise<number | undefined> {
  const body: ReportBody = {
    values: {
      dossiers_carried_over: 0,
      dossiers_received_online: 168,
      dossiers_received_direct: 0,
      dossiers_resolved_early: 132,
      dossiers_resolved_on_time: 33,
      dossiers_resolved_overdue: 1,
      dossiers_pending_within_deadline: 2,
      dossiers_pending_overdue: 0,
      edocs_incoming_rate: 99,
      iso_9001_applied: true,
      one_stop_allowance_vnd: null,
    },
    narrative: { results: "Tổng số hồ sơ tiếp nhận 168 hồ sơ …" },
  };
  const { data, error } = await client.PUT("/api/v1/communes/{code}/reports/{period}", {
    params: { path: { code: "07273", period: "2024-06" } },
    headers: { Authorization: `Bearer ${token}` },
    body,
  });
  if (error) {
    const kind: string = error.type;
    const findings = error.errors?.length ?? 0;
    console.log(kind, findings);
    return undefined;
  }
  const online: number | null | undefined = data.values.dossiers_received_online;
  console.log(online, data.status, data.derived);
  return data.revision;
}

export async function readTheDistrictRanking(token: string): Promise<string[]> {
  const { data } = await client.GET("/api/v1/units/{code}/rankings", {
    params: { path: { code: "215" }, query: { period: "2024Q2", detail: "criteria" } },
    headers: { Authorization: `Bearer ${token}` },
  });
  const lines: string[] = [];
  for (const entry of data?.entries ?? []) {
    const score: number | null | undefined = entry.score;
    const standing: components["schemas"]["Standing"] = entry.status;
    lines.push(`${entry.rank ?? "-"} ${entry.unit_code} ${entry.unit_name} ${score ?? ""} ${standing}`);
  }
  return lines;
}

export async function followTheFeed(token: string, since?: string): Promise<number[]> {
  const { data } = await client.GET("/api/v1/feed", {
    params: { query: { since } },
    headers: { Authorization: `Bearer ${token}` },
  });
  const scores: number[] = [];
  for (const item of data?.items ?? []) {
    if (item.kind === "score.changed") {
      scores.push(item.payload.score);
    } else if (item.kind === "report.approved") {
      const received: number | null | undefined = item.payload.values.dossiers_received_online;
      console.log(item.payload.unit_code, received);
    }
  }
  return scores;
}

export async function downloadTheTable(token: string): Promise<Blob | undefined> {
  const { data } = await client.GET("/api/v1/units/{code}/reports.{format}", {
    params: { path: { code: "215", format: "xlsx" }, query: { period: "2024-06" } },
    headers: { Authorization: `Bearer ${token}` },
    parseAs: "blob",
  });
  return data;
}
