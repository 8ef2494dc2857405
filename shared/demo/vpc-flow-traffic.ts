import { randomInt, zipfSampler, type Random } from './random.js';

/** Server ports in order of popularity; drawn Zipf-distributed. */
const SERVICE_PORTS = [443, 80, 53, 22, 3306, 5432, 6379, 8080, 123, 9200, 27017, 8443, 25, 3389, 445, 5439];
const UDP_PORTS = new Set([53, 123]);
const EXTERNAL_PEERS = 20_000;

export interface Interface {
  id: string;
  ip: string;
}

/** One conversation seen by an interface: the same 5-tuple reported window after window. */
interface Conversation {
  eniIsClient: boolean;
  peer: string;
  clientPort: number;
  serverPort: number;
  protocol: number;
  requestPacketBytes: number;
  responsePacketBytes: number;
}

/**
 * A VPC's traffic as flow logs see it. Each interface keeps a pool of conversations (a peer —
 * another interface or a Zipf-popular public address —, a Zipf-popular server port, a random
 * ephemeral port); a record reports one direction of one conversation in one capture window,
 * usually with its reply direction next to it, and conversations are slowly replaced. Busy
 * interfaces and busy conversations follow Zipf laws too. Deterministic for a given random.
 */
export class VpcTraffic {
  private readonly pools: Conversation[][];
  private readonly nextInterface: () => number;
  private readonly nextExternal: () => number;
  private readonly nextInternal: () => number;
  private readonly nextPort: () => number;
  private readonly poolPick = new Map<number, () => number>();

  /**
   * @param network draws what is the same on every day (interfaces, peers, standing conversations)
   * @param random draws the day's records
   */
  private constructor(
    network: Random,
    private readonly random: Random,
    readonly interfaces: readonly Interface[],
    private readonly externalPeers: readonly string[],
  ) {
    this.nextInterface = zipfSampler(random, interfaces.length, 0.9);
    this.nextExternal = zipfSampler(random, externalPeers.length, 1.1);
    this.nextInternal = zipfSampler(random, interfaces.length, 1.0);
    this.nextPort = zipfSampler(random, SERVICE_PORTS.length, 1.2);
    this.pools = interfaces.map((eni) => {
      const size = 4 + Math.floor(Math.exp(network() * 5));
      return Array.from({ length: size }, () => this.newConversation(eni, network));
    });
  }

  /** The traffic of one account and region's VPC on one day. */
  static forVpc(network: Random, day: Random, vpcOctet: number, interfaceCount: number): VpcTraffic {
    const interfaces = Array.from({ length: interfaceCount }, (_, index) => ({
      id: `eni-${(0x0a1b2c3d4e5f60000n + BigInt(index * 104729)).toString(16).padStart(17, '0')}`,
      ip: `10.${vpcOctet}.${index >> 8}.${(index & 255) + 1}`,
    }));
    const external = Array.from(
      { length: EXTERNAL_PEERS },
      () =>
        `${randomInt(network, 1, 223)}.${randomInt(network, 0, 255)}.${randomInt(network, 0, 255)}.${randomInt(network, 1, 254)}`,
    );
    return new VpcTraffic(network, day, interfaces, external);
  }

  private newConversation(eni: Interface, random: Random = this.random): Conversation {
    let peer =
      random() < 0.4 ? this.interfaces[this.nextInternal()]!.ip : this.externalPeers[this.nextExternal()]!;
    if (peer === eni.ip) peer = this.externalPeers[this.nextExternal()]!;
    const icmp = random() < 0.01;
    const serverPort = icmp ? 0 : SERVICE_PORTS[this.nextPort()]!;
    return {
      eniIsClient: random() < 0.5,
      peer,
      clientPort: icmp ? 0 : randomInt(random, 32768, 60999),
      serverPort,
      protocol: icmp ? 1 : UDP_PORTS.has(serverPort) ? 17 : 6,
      requestPacketBytes: randomInt(random, 40, 200),
      responsePacketBytes: random() < 0.5 ? randomInt(random, 60, 300) : randomInt(random, 1200, 1500),
    };
  }

  /** The lines of one capture window's reports for one conversation (one or both directions). */
  nextRecords(account: string, windowStart: number, aggregationSeconds: number): string[] {
    const random = this.random;
    const eniIndex = this.nextInterface();
    const eni = this.interfaces[eniIndex]!;
    const pool = this.pools[eniIndex]!;
    let pick = this.poolPick.get(pool.length);
    if (!pick) {
      pick = zipfSampler(random, pool.length, 1.0);
      this.poolPick.set(pool.length, pick);
    }
    const slot = pick();
    // Conversations end and new ones start: a slow churn of ephemeral ports and peers.
    if (random() < 0.03) pool[slot] = this.newConversation(eni, random);
    const conversation = pool[slot]!;
    const start = windowStart + randomInt(random, 0, aggregationSeconds - 1);
    const end = Math.min(windowStart + aggregationSeconds, start + randomInt(random, 1, aggregationSeconds));
    const status = random();
    if (status < 0.02) return [`2 ${account} ${eni.id} - - - - - - - ${start} ${end} - NODATA`];
    if (status < 0.0205) return [`2 ${account} ${eni.id} - - - - - - - ${start} ${end} - SKIPDATA`];
    const client = conversation.eniIsClient ? eni.ip : conversation.peer;
    const server = conversation.eniIsClient ? conversation.peer : eni.ip;
    const rejected = !conversation.eniIsClient && !conversation.peer.startsWith('10.') && random() < 0.05;
    const packets = 1 + Math.floor(Math.exp(random() * 5) - 1);
    const request = `2 ${account} ${eni.id} ${client} ${server} ${conversation.clientPort} ${conversation.serverPort} ${conversation.protocol} ${packets} ${packets * conversation.requestPacketBytes} ${start} ${end} ${rejected ? 'REJECT' : 'ACCEPT'} OK`;
    if (rejected || random() < 0.15) return [request];
    const replies = Math.max(1, Math.round(packets * (0.5 + random())));
    const reply = `2 ${account} ${eni.id} ${server} ${client} ${conversation.serverPort} ${conversation.clientPort} ${conversation.protocol} ${replies} ${replies * conversation.responsePacketBytes} ${start} ${end} ACCEPT OK`;
    return [request, reply];
  }
}
