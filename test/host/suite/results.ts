// The shape of the JSON file the suite writes when CMDOP_HOST_RESULTS names one (read by test/e2e/host-suite.e2e.ts).

export interface HostTestResult {
  title: string;
  /** Suite titles and the test title, joined by spaces (mocha's fullTitle()). */
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface HostSuiteResults {
  vscodeVersion: string;
  passed: number;
  failed: number;
  pending: number;
  tests: HostTestResult[];
  /** Set when the suite could not load or run at all. */
  error?: string;
}

/** The environment variable naming the results file. */
export const RESULTS_ENV = 'CMDOP_HOST_RESULTS';

/** A seeded fleet API key of acme-prod, set by the code-server launcher, which also starts the fleet server. */
export const CHAT_FLEET_KEY = 'CMDOP_HOST_FLEET_KEY';
