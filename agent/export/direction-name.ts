import { Direction } from '../capture/captured-event';

export type DirectionName = 'egress' | 'ingress';

/** 'egress' = the captured process sent the bytes; 'ingress' = it received them. */
export function directionName(direction: Direction): DirectionName {
  return direction === Direction.Egress ? 'egress' : 'ingress';
}
