/** The admin password the test API harness starts with; its own file so browser support (and the benches) can use it without loading the API. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';
