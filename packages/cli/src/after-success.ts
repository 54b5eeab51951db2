/**
 * Work a command earns only by succeeding, such as saving the project cache: queued while
 * the command runs and done by bin.ts once it has succeeded, so that a failing command
 * (bad input above all) leaves LAYERON_HOME exactly as it found it. Tasks handle their own
 * errors: a cache that could not be saved is not the user's problem.
 */
type Task = () => Promise<void>

const queue: Task[] = []

export function afterSuccess(task: Task): void {
  queue.push(task)
}

/** Run and forget every queued task, in order. */
export async function runAfterSuccess(): Promise<void> {
  for (const task of queue.splice(0)) {
    try {
      await task()
    } catch {
      // A task reports its own failures (as debug lines); nothing more to do here.
    }
  }
}
