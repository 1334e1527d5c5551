'use strict'
// Prints one closing line in the plain form CI reads ("jest: N passed, N failed, N skipped").
class SummaryReporter {
  onRunComplete (_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results
    process.stderr.write(`\njest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`)
  }
}
module.exports = SummaryReporter
