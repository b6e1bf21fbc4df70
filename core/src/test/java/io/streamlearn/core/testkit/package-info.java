/**
 * The test kit every module's integration tests share: the embedded broker as a JUnit 5 extension with
 * fresh topics per test, one topic reader, one policy for missing tools. Test code only; depends on core.
 */
package io.streamlearn.core.testkit;
