import { problemForFrameworkError } from './framework-errors';

describe('problemForFrameworkError', () => {
  it('answers the router URL errors as 400 problem details without echoing the URL', () => {
    expect(problemForFrameworkError({ code: 'FST_ERR_BAD_URL', statusCode: 400 })).toEqual({
      type: 'urn:vinsight:problem:invalid-url',
      title: 'Bad Request',
      status: 400,
      detail: 'the URL path is not validly percent-encoded',
    });
    expect(problemForFrameworkError({ code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 })).toMatchObject({
      status: 400,
      type: 'urn:vinsight:problem:invalid-url',
    });
  });

  it('answers any other router failure as a 500 without internals', () => {
    expect(problemForFrameworkError({ code: 'FST_ERR_ASYNC_CONSTRAINT', statusCode: 500 })).toMatchObject({
      status: 500,
      type: 'urn:vinsight:problem:internal',
    });
  });
});
