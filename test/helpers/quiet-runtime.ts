import { DefaultLogger, Runtime } from '@temporalio/worker';

// Expected workflow failures would otherwise print stack traces as warnings in every test run.
Runtime.install({ logger: new DefaultLogger((process.env.TEST_SDK_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR') });
