import { Controller, Get, Headers, Query, Res, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadApiGuard, Reader } from '../auth/read-api.guard';
import { ReadContext } from '../database/read-context';
import { ValidationFailedError } from '../errors/read-api.errors';
import { ProblemModel, problemResponse } from '../http/api-docs.decorators';
import { readApiValidationPipe } from '../http/validation.pipe';
import { EventStreamHub } from './event-stream.hub';
import { StreamPosition, decodeStreamPosition } from './stream-position';
import { STREAM_EVENT_TYPES, parseStreamTypes } from './stream-events';
import {
  CheckRecordedData,
  IncidentOpenedData,
  IncidentResolvedData,
  MaintenanceEndedData,
  MaintenanceStartedData,
  MonitorStatusChangedData,
  StreamOpenedData,
  StreamQuery,
} from './stream.views';

const EVENT_DATA = {
  'stream.opened': StreamOpenedData,
  'monitor.status_changed': MonitorStatusChangedData,
  'incident.opened': IncidentOpenedData,
  'incident.resolved': IncidentResolvedData,
  'maintenance.started': MaintenanceStartedData,
  'maintenance.ended': MaintenanceEndedData,
  'check.recorded': CheckRecordedData,
};

const STREAM_DESCRIPTION = `Server-Sent Events of the tenant's monitors, live. Each event has an \`event:\` line (its type), \
one \`data:\` line (a JSON object, see the schemas named \`<Type>Data\`) and an \`id:\` line: a position. The position is a \
consistency token: a REST read with \`X-Consistency-Token: <id>\` shows at least what the event told, and an event is never \
sent before the read models include it. (The first of two events of one record, a status change that opens or resolves an \
incident, has the id \`<token>.1\`; the part before the dot is the token.) Reconnecting with \`Last-Event-ID\` (EventSource does it by itself) resumes exactly \
after that event, with nothing missed or repeated, as long as Kafka still holds the records after it (\`events\` forever, \
\`check-events\` 30 days). The first event, \`stream.opened\`, carries the starting position, so a client that reconnects before \
any other event resumes exactly too. Without Last-Event-ID the stream starts at what the read models include when it opens. \
Comment lines (\`: heartbeat\`) are sent every STREAM_HEARTBEAT_MS; on shutdown the server ends the stream and the client \
reconnects elsewhere. Event types: ${STREAM_EVENT_TYPES.join(', ')} (\`check.recorded\` only when \`types\` asks for it).`;

@ApiTags('stream')
@Controller('v1')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class StreamController {
  constructor(private readonly hub: EventStreamHub) {}

  @Get('stream')
  @ApiOperation({
    operationId: 'streamEvents',
    summary: "The tenant's status changes, incidents, maintenance and (opt-in) checks, live (SSE)",
    description: STREAM_DESCRIPTION,
  })
  @ApiBearerAuth()
  @ApiExtraModels(ProblemModel, ...Object.values(EVENT_DATA))
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'the id of the last event received: resume right after it' })
  @ApiResponse({
    status: 200,
    description: `an endless text/event-stream; the data of each event type: ${Object.entries(EVENT_DATA)
      .map(([type, model]) => `${type}: ${model.name}`)
      .join('; ')}`,
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          example: 'id: djEucDMuZTEyMA\nevent: monitor.status_changed\ndata: {"monitorId":"…","from":"up","to":"down",…}\n\n',
        },
      },
    },
  })
  @problemResponse(
    400,
    "invalid parameters (types, monitorId), or a Last-Event-ID that is not a position of this tenant's stream or is beyond its end",
  )
  @problemResponse(401, 'missing, unknown, revoked or expired credential, or deleted tenant')
  @problemResponse(403, 'the tenant is deactivated')
  @problemResponse(
    429,
    'too many open streams for the tenant (STREAM_MAX_CONNECTIONS_PER_TENANT, too-many-streams) or the rate limit of the credential (rate-limited); Retry-After',
  )
  @problemResponse(
    503,
    'the database cannot be reached at the moment (database-unavailable), or the stream cannot read Kafka (stream-unavailable); Retry-After',
  )
  async stream(
    @Reader() reader: ReadContext,
    @Query() query: StreamQuery,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const types = parseStreamTypes(query.types);
    if (!types) throw new ValidationFailedError([{ field: 'types', message: `must list event types of ${STREAM_EVENT_TYPES.join(', ')}` }]);
    const lastEventId = lastEventIdHeader ?? query.lastEventId;
    let after: StreamPosition | undefined;
    if (lastEventId !== undefined && lastEventId.trim() !== '') {
      after = decodeStreamPosition(lastEventId) ?? undefined;
      const field = lastEventIdHeader !== undefined ? 'Last-Event-ID' : 'lastEventId';
      if (!after) throw new ValidationFailedError([{ field, message: 'must be the id of an event of this stream' }]);
    }
    const start = await this.hub.admit({ tenantId: reader.tenantId, types, monitorId: query.monitorId?.toLowerCase(), after });
    // From here the response is written by hand, event by event: Fastify's serialisation and
    // compression never see it (an SSE stream must not be buffered).
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    start(reply.raw);
  }
}
