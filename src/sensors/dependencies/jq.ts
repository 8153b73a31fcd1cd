import { raw } from 'jq-wasm';

/** Runs jq programs (jq 1.7 in WebAssembly, loaded on first use). */
export interface JqRunner {
  /** Runs `program` on the JSON text `input`; resolves to its outputs, one JSON text each. */
  run(program: string, input: string): Promise<string[]>;
}

export function createJqRunner(): JqRunner {
  return {
    async run(program, input) {
      const output = await raw(input, program, ['-c']);
      return output.split('\n').filter((line) => line.trim() !== '');
    },
  };
}
